/**
 * A deploy plan with read-only credentials (a role with SELECT and USAGE only): everything a plan can
 * learn without executing a migration — the pending set and its checksums, the real catalog to lint the
 * pending migrations against, and production's statistics for the impact estimates — read in one
 * READ ONLY transaction, so nothing is written even when the role could (no tracking schema is
 * created, no audit row). The lock trace is not here: it executes the DDL (rolled back), which needs the
 * migration role.
 */
import type { SchemaModel } from '../lint/schema.js';
import { loadCatalogSchema } from '../lint/catalog.js';
import { migrationsOf, type MigrationSet } from '../migrations/discover.js';
import type { Migration } from '../migrations/types.js';
import type { LayoutName } from '../migrations/types.js';
import type { Snapshot } from '../impact/snapshot.js';
import { readSnapshot } from './snapshot.js';
import { closeQuietly, connect } from '../db/connection.js';
import { claimedEnvironment, EnvironmentMismatch, identityRefusal, readEnvironmentLabel } from '../db/identity.js';
import { planUp } from '../db/plan.js';
import type { StatusItem } from '../db/status.js';
import { readAppliedRows } from '../db/tracking.js';

export interface ReadOnlyPlanOptions {
  databaseUrl: string;
  dir: string;
  /** Tracking schema (read when it exists; never created). */
  schema: string;
  environment: string | null;
  set?: MigrationSet;
  layout?: LayoutName;
}

export interface ReadOnlyPlan {
  pending: Migration[];
  status: StatusItem[];
  /** Versions applied to the database (the lint reads them from the directory's history). */
  applied: Set<string>;
  catalog: SchemaModel;
  /** The database's own statistics, taken now (statistics only, as `ddlgate snapshot`). */
  snapshot: Snapshot;
}

export async function readOnlyPlan(options: ReadOnlyPlanOptions): Promise<ReadOnlyPlan> {
  // Every file read and parsed before any connection: a malformed one is bad input, nothing is asked.
  const migrations = migrationsOf(options);
  const client = await connect(options.databaseUrl, { applicationName: 'ddlgate plan (read-only)' });
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    // A plan for production on a database labelled staging is refused as a dry-run would be.
    const refusal = identityRefusal(await readEnvironmentLabel(client, options.schema), claimedEnvironment(options.environment), 'dry-run', options.schema);
    if (refusal) throw new EnvironmentMismatch(refusal);
    const rows = await readAppliedRows(client, options.schema);
    // Modified or missing applied files stop the plan exactly as they stop an apply.
    const plan = planUp(migrations, rows, {});
    const catalog = await loadCatalogSchema(client, { tracking: options.schema });
    const snapshot = await readSnapshot(client, { schema: options.schema });
    await client.query('COMMIT');
    const applied = new Set(plan.status.filter((item) => item.state === 'applied').map((item) => item.version));
    return { pending: plan.pending, status: plan.status, applied, catalog, snapshot };
  } finally {
    await closeQuietly(client);
  }
}
