import { InputError, OperationError } from '../errors.js';
import { displayPath, entriesOf } from '../migrations/discover.js';
import { downSourceOf, loadSource } from '../migrations/script.js';
import type { MigrationScript } from '../migrations/types.js';
import { quoteIdent } from './connection.js';
import { enforceEnvironmentIdentity } from './identity.js';
import { describePgError, executeStatement, StatementFailure, timeoutSettings } from './execute.js';
import { recordOverAnyConnection, withMigrationSession } from './session.js';
import { compareVersions } from './status.js';
import { historyInsertSql, insertHistory, readAppliedRows, type AppliedRow } from './tracking.js';
import type { RunnerSettings } from './up.js';

export interface DownOptions extends RunnerSettings {
  steps?: number;
  /** Roll back every applied migration newer than this version (it stays applied). */
  to?: string;
  /** Roll back the whole last batch. */
  batch?: boolean;
  /** Called with the scripts about to run, before anything changes (the action prints the down SQL). */
  onPlan?: (plan: Array<{ version: string; name: string; script: MigrationScript }>) => void | Promise<void>;
}

export interface RolledBack {
  version: string;
  name: string;
  durationMs: number;
}

export class RollbackFailed extends OperationError {
  constructor(
    readonly failed: { version: string; name: string },
    readonly reason: string,
    readonly done: RolledBack[],
  ) {
    super(`rollback of ${failed.version}_${failed.name} failed: ${reason}${done.length ? ` (rolled back before it: ${done.map((d) => d.version).join(', ')})` : ''}`);
  }
}

export function selectRollbackTargets(rows: AppliedRow[], options: Pick<DownOptions, 'steps' | 'to' | 'batch'>): AppliedRow[] {
  const applied = rows.filter((row) => row.status === 'applied').sort((a, b) => compareVersions(b.version, a.version));
  const modes = [options.steps !== undefined, options.to !== undefined, Boolean(options.batch)].filter(Boolean).length;
  if (modes > 1) throw new InputError('choose one of --steps, --to and --batch');
  if (options.to !== undefined) {
    if (!applied.some((row) => compareVersions(row.version, options.to!) === 0)) throw new InputError(`--to ${options.to}: that version is not applied`);
    return applied.filter((row) => compareVersions(row.version, options.to!) > 0);
  }
  if (options.batch) {
    const last = Math.max(...applied.map((row) => row.batch ?? 0));
    return applied.filter((row) => (row.batch ?? 0) === last);
  }
  return applied.slice(0, options.steps ?? 1);
}

export async function runDown(options: DownOptions): Promise<RolledBack[]> {
  const entries = entriesOf(options);
  return withMigrationSession(options, async (session) => {
    await enforceEnvironmentIdentity(session.client, options.schema, options.environment, 'rollback', session.executedBy);
    const rows = await readAppliedRows(session.client, options.schema);
    const targets = selectRollbackTargets(rows, options);
    // Every down file is found and parsed before the first one runs: refuse rather than stop half-way.
    const plan = targets.map((row) => {
      const entry = entries.find((e) => compareVersions(e.version, row.version) === 0);
      if (!entry) throw new OperationError(`cannot roll back ${row.version}_${row.name}: its migration files are missing`);
      const downSource = downSourceOf(entry);
      if (!downSource) throw new OperationError(`cannot roll back ${row.version}_${row.name}: ${displayPath(entry.upPath)} has no down ${entry.layout && entry.layout !== 'native' ? `migration (${entry.layout} layout)` : `file (${row.version}_${row.name}.down.sql)`}; nothing was rolled back`);
      return { version: row.version, name: row.name, script: loadSource(downSource) };
    });
    await options.onPlan?.(plan);
    const done: RolledBack[] = [];
    for (const step of plan) {
      const started = performance.now();
      const { client } = session;
      const s = quoteIdent(options.schema);
      try {
        if (step.script.transactional) {
          await client.query(`BEGIN; ${timeoutSettings(options.lockTimeoutMs, options.statementTimeoutMs, 'LOCAL')}`);
          for (const statement of step.script.statements) await executeStatement(client, step.script, statement);
          const durationMs = performance.now() - started;
          await client.query(
            `DELETE FROM ${s}.schema_migrations WHERE version = ${client.escapeLiteral(step.version)};
${historyInsertSql(client, options.schema, { version: step.version, action: 'rollback', executionTimeMs: durationMs, status: 'success', executedBy: session.executedBy, environment: session.environment })};
COMMIT`,
          );
        } else {
          await client.query(timeoutSettings(options.lockTimeoutMs, options.statementTimeoutMs, 'SESSION'));
          for (const statement of step.script.statements) await executeStatement(client, step.script, statement);
          await client.query('RESET lock_timeout; RESET statement_timeout');
          await client.query(`DELETE FROM ${s}.schema_migrations WHERE version = $1`, [step.version]);
          await insertHistory(client, options.schema, { version: step.version, action: 'rollback', executionTimeMs: performance.now() - started, status: 'success', executedBy: session.executedBy, environment: session.environment });
        }
        const durationMs = performance.now() - started;
        done.push({ version: step.version, name: step.name, durationMs });
        session.log(`rolled back ${step.version}_${step.name} (${Math.round(durationMs)} ms)`);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const message = error instanceof StatementFailure ? error.message : describePgError(error);
        const entry = { version: step.version, action: 'rollback' as const, executionTimeMs: performance.now() - started, status: 'failed' as const, errorMessage: message, executedBy: session.executedBy, environment: session.environment };
        await recordOverAnyConnection(session, `the failed rollback in ${options.schema}.migration_history`, (target) => insertHistory(target, options.schema, entry));
        throw new RollbackFailed(step, message, done);
      }
    }
    return done;
  });
}
