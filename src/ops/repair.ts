import { quoteIdent } from '../db/connection.js';
import { withMigrationSession, type SessionOptions } from '../db/session.js';
import { compareVersions } from '../db/status.js';
import { historyInsertSql, readAppliedRows, readLastFailures, type AppliedRow } from '../db/tracking.js';
import { entriesOf, type MigrationSet } from '../migrations/discover.js';
import { checksumOfFile } from '../migrations/script.js';
import type { LayoutName, MigrationEntry } from '../migrations/types.js';

export type RepairChange =
  | { kind: 'clear-failed'; version: string; name: string; error: string | null; statementsDone: number; hasRow: boolean }
  | { kind: 'checksum'; version: string; name: string; recorded: string; file: string };

export interface RepairOptions extends SessionOptions {
  dir: string;
  layout?: LayoutName;
  /** The migrations as the command read them; `dir` is read when absent. */
  set?: MigrationSet;
  /** Without it nothing changes: the plan is only returned. */
  confirm: boolean;
}

export interface RepairResult {
  changes: RepairChange[];
  applied: boolean;
}

/** What repair would do (pure): clear failed attempts, re-record checksums of applied files that were edited. */
export function planRepair(entries: MigrationEntry[], rows: AppliedRow[], failures: Map<string, { error: string | null }>, checksumOf: (entry: MigrationEntry) => string): RepairChange[] {
  const changes: RepairChange[] = [];
  const entryFor = (version: string) => entries.find((entry) => compareVersions(entry.version, version) === 0);
  for (const row of rows) {
    if (row.status !== 'applied') {
      changes.push({ kind: 'clear-failed', version: row.version, name: row.name, error: row.error_message, statementsDone: row.statements_done, hasRow: true });
      continue;
    }
    const entry = entryFor(row.version);
    if (!entry) continue;
    const file = checksumOf(entry);
    if (file !== row.checksum) changes.push({ kind: 'checksum', version: row.version, name: row.name, recorded: row.checksum, file });
  }
  // A transactional migration that failed leaves no tracking row, only a failed history row that status shows.
  for (const [version, failure] of failures) {
    if (rows.some((row) => compareVersions(row.version, version) === 0)) continue;
    changes.push({ kind: 'clear-failed', version, name: entryFor(version)?.name ?? '', error: failure.error, statementsDone: 0, hasRow: false });
  }
  return changes.sort((a, b) => compareVersions(a.version, b.version));
}

export function describeChange(change: RepairChange): string {
  if (change.kind === 'checksum') {
    return `${change.version}_${change.name}: record the edited file's checksum ${change.file.slice(0, 12)}… (was ${change.recorded.slice(0, 12)}…); the edit itself is NOT applied`;
  }
  const partial = change.statementsDone > 0 ? `; ${change.statementsDone} statement(s) had run and will run again on the next up` : '';
  return `${change.version}_${change.name}: clear the failed attempt${change.error ? ` (${change.error.split('\n')[0]})` : ''}${partial}`;
}

/**
 * `ddlgate repair`: fixes the tracking table after a human has looked at the database. Nothing changes
 * without the confirmation flag; with it, every change is one `repair` row in migration_history.
 */
export async function runRepair(options: RepairOptions): Promise<RepairResult> {
  const entries = entriesOf(options);
  return withMigrationSession(options, async (session) => {
    const { client } = session;
    const changes = planRepair(entries, await readAppliedRows(client, options.schema), await readLastFailures(client, options.schema), (entry) => checksumOfFile(entry.upPath));
    if (!options.confirm || changes.length === 0) return { changes, applied: false };
    const s = quoteIdent(options.schema);
    const lit = (value: string) => client.escapeLiteral(value);
    const statements = changes.flatMap((change) => {
      const history = historyInsertSql(client, options.schema, {
        version: change.version,
        action: 'repair',
        executionTimeMs: 0,
        status: 'success',
        executedBy: session.executedBy,
        environment: session.environment,
        details: change.kind === 'checksum'
          ? { change: 'checksum', previousChecksum: change.recorded, checksum: change.file }
          : { change: 'clear-failed', error: change.error, statementsDone: change.statementsDone },
      });
      if (change.kind === 'checksum') return [`UPDATE ${s}.schema_migrations SET checksum = ${lit(change.file)} WHERE version = ${lit(change.version)}`, history];
      return change.hasRow ? [`DELETE FROM ${s}.schema_migrations WHERE version = ${lit(change.version)} AND status <> 'applied'`, history] : [history];
    });
    await client.query(`BEGIN; ${statements.join(';\n')}; COMMIT`).catch(async (error) => {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    });
    for (const change of changes) session.log(`repaired ${describeChange(change)}`);
    return { changes, applied: true };
  });
}
