import { entriesOf, type MigrationSet } from '../migrations/discover.js';
import type { LayoutName } from '../migrations/types.js';
import { closeQuietly, connect } from './connection.js';
import { withChecksums } from './plan.js';
import { computeStatus, type StatusItem } from './status.js';
import { readAppliedRows, readLastFailures } from './tracking.js';

export interface StatusQuery {
  databaseUrl: string;
  dir: string;
  schema: string;
  /** --layout; detected from the files when absent. */
  layout?: LayoutName | undefined;
  set?: MigrationSet | undefined;
}

/** Status JSON as DESIGN.md fixes it: the `detail` of StatusItem is for humans and stays out. */
export interface StatusJson {
  /** The layout the directory was read as (DESIGN.md: every JSON output names it). */
  layout?: LayoutName;
  /** `version` is what the migration's tool shows; `id` (ddlgate's key) only where files share a version. */
  migrations: Array<{ version: string; id?: string; name: string; state: StatusItem['state']; appliedAt: string | null; checksum: string }>;
}

/**
 * Files on disk joined with the tracking rows. Read-only and lock-free, so it may run while a
 * migration holds the advisory lock (the CLI's `status` and the HTTP endpoint's GET share it).
 */
export async function getStatus(query: StatusQuery): Promise<StatusItem[]> {
  // Discover first: a bad migrations directory is reported without opening a connection.
  const files = withChecksums(entriesOf(query));
  const client = await connect(query.databaseUrl);
  try {
    return computeStatus(files, await readAppliedRows(client, query.schema), await readLastFailures(client, query.schema));
  } finally {
    await closeQuietly(client);
  }
}

export function statusJson(items: StatusItem[], layout?: LayoutName): StatusJson {
  return { ...(layout ? { layout } : {}), migrations: items.map((item) => ({ version: item.toolVersion ?? item.version, ...(item.toolVersion ? { id: item.version } : {}), name: item.name, state: item.state, appliedAt: item.appliedAt, checksum: item.checksum })) };
}
