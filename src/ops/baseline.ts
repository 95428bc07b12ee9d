import { InputError, OperationError } from '../errors.js';
import { quoteIdent } from '../db/connection.js';
import { withMigrationSession, type SessionOptions } from '../db/session.js';
import { compareVersions } from '../db/status.js';
import { historyInsertSql, nextBatch, readAppliedRows } from '../db/tracking.js';
import { displayPath, entriesOf, type MigrationSet } from '../migrations/discover.js';
import { checksumOfFile } from '../migrations/script.js';
import type { LayoutName } from '../migrations/types.js';

export interface BaselineOptions extends SessionOptions {
  dir: string;
  layout?: LayoutName;
  /** The migrations as the command read them; `dir` is read when absent. */
  set?: MigrationSet;
  to: string;
}

export interface BaselineResult {
  batch: number | null;
  baselined: Array<{ version: string; name: string }>;
  alreadyApplied: string[];
}

/**
 * `ddlgate baseline --to <version>`: for a database whose schema predates ddlgate, records every migration
 * up to <version> as applied without running it. Each one gets a `baseline` history row, so the audit
 * trail shows these were never executed by ddlgate.
 */
export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const entries = entriesOf(options);
  const target = entries.find((entry) => compareVersions(entry.version, options.to) === 0);
  if (!target) throw new InputError(`--to ${options.to}: no migration with that version in ${displayPath(options.dir)}`);
  return withMigrationSession(options, async (session) => {
    const { client } = session;
    const rows = await readAppliedRows(client, options.schema);
    const chosen = entries.filter((entry) => compareVersions(entry.version, target.version) <= 0);
    const alreadyApplied: string[] = [];
    const todo = chosen.filter((entry) => {
      const row = rows.find((r) => compareVersions(r.version, entry.version) === 0);
      if (!row) return true;
      if (row.status !== 'applied') {
        throw new OperationError(`${entry.version}_${entry.name} has a ${row.status} attempt recorded; baseline only marks migrations that never ran (inspect it, then use ddlgate repair)`);
      }
      alreadyApplied.push(entry.version);
      return false;
    });
    if (todo.length === 0) return { batch: null, baselined: [], alreadyApplied };
    const batch = await nextBatch(client, options.schema);
    const s = quoteIdent(options.schema);
    const lit = (value: string) => client.escapeLiteral(value);
    const statements = todo.flatMap((entry) => [
      `INSERT INTO ${s}.schema_migrations (version, name, checksum, status, applied_at, applied_by, execution_time_ms, batch, statements_done)
       VALUES (${lit(entry.version)}, ${lit(entry.name)}, ${lit(checksumOfFile(entry.upPath))}, 'applied', now(), ${lit(session.executedBy)}, 0, ${batch}, 0)`,
      historyInsertSql(client, options.schema, {
        version: entry.version,
        action: 'baseline',
        executionTimeMs: 0,
        status: 'success',
        executedBy: session.executedBy,
        environment: session.environment,
        details: { baselineTo: target.version, executed: false },
      }),
    ]);
    // All or nothing: a half-recorded baseline would make `up` run some of the old migrations again.
    await client.query(`BEGIN; ${statements.join(';\n')}; COMMIT`).catch(async (error) => {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    });
    for (const entry of todo) session.log(`baselined ${entry.version}_${entry.name} (recorded as applied, not run)`);
    return { batch, baselined: todo.map((entry) => ({ version: entry.version, name: entry.name })), alreadyApplied };
  });
}
