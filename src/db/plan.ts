import { InputError, OperationError } from '../errors.js';
import { checksumOfFile, loadMigration } from '../migrations/script.js';
import type { Migration, MigrationEntry } from '../migrations/types.js';
import { displayPath } from '../migrations/discover.js';
import { compareVersions, computeStatus, resolveTargetVersion, setOrderComparator, type FileChecksum, type StatusItem } from './status.js';
import type { AppliedRow } from './tracking.js';

export interface PlanOptions {
  to?: string;
  allowOutOfOrder?: boolean;
}

export interface UpPlan {
  pending: Migration[];
  /** Non-transactional migrations stopped part-way: resume at statements_done. */
  resume: Map<string, number>;
  status: StatusItem[];
}

export function withChecksums(entries: MigrationEntry[]): FileChecksum[] {
  return entries.map((entry) => ({ ...entry, checksum: checksumOfFile(entry.upPath) }));
}

/**
 * Reads and parses every migration file before any connection is made: a malformed file is reported
 * (exit 2) without touching the database, not even to create the tracking tables.
 */
export function loadAllMigrations(entries: MigrationEntry[]): Migration[] {
  return entries.map(loadMigration);
}

/**
 * Validates files against the tracking table before anything runs: an applied file that changed or
 * vanished, or a pending migration older than the newest applied one, stops the run with the file named.
 */
export function planUp(migrations: Migration[], rows: AppliedRow[], options: PlanOptions): UpPlan {
  const entries: MigrationEntry[] = migrations;
  const status = computeStatus(migrations, rows, new Map());
  const migrationByVersion = new Map(migrations.map((migration) => [migration.version, migration]));
  const entryByVersion = new Map(entries.map((entry) => [entry.version, entry]));
  // A statement-by-statement rollback stopped part-way leaves the schema between two versions: finish it first.
  const halfRolledBack = rows.find((row) => row.rollback_done !== null && row.rollback_done !== undefined);
  if (halfRolledBack) {
    throw new OperationError(`the rollback of ${halfRolledBack.version}_${halfRolledBack.name} stopped part-way (${halfRolledBack.rollback_done} down statement(s) done): finish it with ddlgate down --steps 1, then run up; nothing was applied`);
  }
  for (const item of status) {
    if (item.state === 'modified') {
      const file = displayPath(entryByVersion.get(item.version)!.upPath);
      throw new OperationError(`${file}: modified after it was applied (checksum differs from the one recorded); restore the file, or record the new checksum with ddlgate repair`);
    }
    if (item.state === 'missing') {
      throw new OperationError(`migration ${item.version}_${item.name} is recorded as applied but its file is missing from the migrations directory`);
    }
  }
  // --to 0042 names the migration 42 however its version is spelled; compare by the set's own spelling.
  const toVersion = options.to === undefined ? undefined : resolveTargetVersion(entries, options.to);
  if (options.to !== undefined && toVersion === undefined) {
    throw new InputError(`--to ${options.to}: no migration with that version`);
  }
  // The layout's order decides what is newer (diesel's text order, sqitch's plan), not the digits.
  const order = setOrderComparator(entries);
  const newestApplied = status.filter((item) => item.state === 'applied').map((item) => item.version).sort(order).pop();
  const resume = new Map<string, number>();
  const pending: Migration[] = [];
  for (const item of status) {
    if (item.state === 'applied') continue;
    if (options.to !== undefined && order(item.version, toVersion!) > 0) break;
    const entry = entryByVersion.get(item.version)!;
    if (newestApplied && order(item.version, newestApplied) < 0 && !options.allowOutOfOrder) {
      throw new OperationError(`${displayPath(entry.upPath)}: pending but older than the newest applied migration ${newestApplied}; rename it to a newer version or pass --allow-out-of-order`);
    }
    const row = rows.find((r) => compareVersions(r.version, item.version) === 0);
    if (row && row.status !== 'applied') {
      // Statements already ran from the file as it was then: resuming an edited file would skip or repeat work.
      if (row.statements_done > 0 && row.checksum !== migrationByVersion.get(item.version)!.checksum) {
        throw new OperationError(`${displayPath(entry.upPath)}: changed after a run stopped part-way (${row.statements_done} statement(s) done); restore the file to finish it, or record the new state with ddlgate repair`);
      }
      resume.set(item.version, row.statements_done);
    }
    pending.push(migrationByVersion.get(item.version)!);
  }
  return { pending, resume, status };
}
