import type { MigrationEntry } from '../migrations/types.js';
import { compareVersions, sameVersion } from '../migrations/version.js';
import type { AppliedRow } from './tracking.js';

export type MigrationState = 'applied' | 'pending' | 'failed' | 'modified' | 'missing';

export interface StatusItem {
  /** The migration's key (MigrationEntry.version). */
  version: string;
  /** The version its tool shows, when it differs from the key (files sharing a sql-migrate number). */
  toolVersion?: string;
  name: string;
  state: MigrationState;
  appliedAt: string | null;
  checksum: string;
  /** Extra detail for humans: the error of a failed attempt, the recorded checksum of a modified file. */
  detail?: string;
}

export interface FileChecksum extends MigrationEntry {
  checksum: string;
}

/** Joins files and tracking rows into one ordered list of states (pure). */
export function computeStatus(
  files: FileChecksum[],
  rows: AppliedRow[],
  failures: Map<string, { error: string | null }>,
): StatusItem[] {
  const byVersion = new Map(rows.map((row) => [row.version, row]));
  const items: StatusItem[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const row = byVersion.get(file.version) ?? findByNumericVersion(rows, file.version);
    if (row) seen.add(row.version);
    const base = { version: file.version, ...(file.toolVersion ? { toolVersion: file.toolVersion } : {}), name: file.name, checksum: file.checksum };
    if (!row) {
      const failure = failures.get(file.version);
      items.push(failure ? { ...base, state: 'failed', appliedAt: null, detail: failure.error ?? 'failed' } : { ...base, state: 'pending', appliedAt: null });
    } else if (row.rollback_done !== null && row.rollback_done !== undefined) {
      items.push({ ...base, state: 'failed', appliedAt: iso(row.applied_at), detail: `rollback stopped after ${row.rollback_done} down statement(s); finish it with ddlgate down` });
    } else if (row.status !== 'applied') {
      items.push({ ...base, state: 'failed', appliedAt: null, detail: row.error_message ?? `stopped after ${row.statements_done} statement(s)` });
    } else if (row.checksum !== file.checksum) {
      items.push({ ...base, state: 'modified', appliedAt: iso(row.applied_at), detail: `recorded checksum ${row.checksum.slice(0, 12)}…, file has ${file.checksum.slice(0, 12)}…` });
    } else {
      items.push({ ...base, state: 'applied', appliedAt: iso(row.applied_at) });
    }
  }
  for (const row of rows) {
    if (seen.has(row.version)) continue;
    items.push({ version: row.version, name: row.name, state: 'missing', appliedAt: iso(row.applied_at), checksum: row.checksum, detail: 'recorded as applied but its file is gone' });
  }
  return inSetOrder(items, files.length);
}

/**
 * The files' items stay in the migration set's order — the layout's own (diesel compares versions as
 * text, sqitch follows its plan), which a numeric sort would undo. A recorded row whose file is gone is
 * placed before the first file whose version is newer, so `missing` still shows where it was.
 */
function inSetOrder(items: StatusItem[], fileCount: number): StatusItem[] {
  const ordered = items.slice(0, fileCount);
  const missing = items.slice(fileCount).sort((a, b) => compareVersions(a.version, b.version));
  for (const item of missing) {
    const at = ordered.findIndex((other) => other.state !== 'missing' && compareVersions(other.version, item.version) > 0);
    ordered.splice(at === -1 ? ordered.length : at, 0, item);
  }
  return ordered;
}

/**
 * Compares versions by their place in the migration set (the layout's order); a version the set does not
 * hold (a recorded row whose file is gone) falls back to the numeric comparison.
 */
export function setOrderComparator(entries: Array<Pick<MigrationEntry, 'version'>>): (a: string, b: string) => number {
  const position = new Map(entries.map((entry, index) => [entry.version, index]));
  return (a, b) => {
    const x = position.get(a);
    const y = position.get(b);
    return x !== undefined && y !== undefined ? x - y : compareVersions(a, b);
  };
}

function findByNumericVersion(rows: AppliedRow[], version: string): AppliedRow | undefined {
  return rows.find((row) => sameVersion(row.version, version));
}

export { compareVersions };

function iso(date: Date | null): string | null {
  return date ? new Date(date).toISOString() : null;
}

/**
 * The key of the migration `--to` names: its key, or its tool's version — files sharing a sql-migrate number
 * are one version to their tool, so `--to <number>` means the last of them. Undefined when none matches.
 */
export function resolveTargetVersion(entries: ReadonlyArray<Pick<MigrationEntry, 'version' | 'toolVersion'>>, to: string): string | undefined {
  const matching = entries.filter((entry) => compareVersions(entry.version, to) === 0 || (entry.toolVersion !== undefined && compareVersions(entry.toolVersion, to) === 0));
  return matching.at(-1)?.version;
}
