import { InputError, OperationError } from '../errors.js';
import { displayPath, entriesOf } from '../migrations/discover.js';
import { downSourceOf, loadSource } from '../migrations/script.js';
import type { MigrationScript } from '../migrations/types.js';
import { quoteIdent } from './connection.js';
import { enforceEnvironmentIdentity } from './identity.js';
import { checksumOf } from '../migrations/checksum.js';
import { asLoginRole, runStepwise, runTransactionStep, sessionResetSql } from './apply.js';
import { CommitFailure, connectionGone } from './execute.js';
import { recordOverAnyConnection, withMigrationSession } from './session.js';
import { compareVersions, resolveTargetVersion, setOrderComparator } from './status.js';
import { withFailureHint } from './failure-hint.js';
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

/**
 * The applied migrations to roll back, newest first. "Newest" is the migration set's order (the layout's
 * own: diesel compares versions as text), falling back to the numeric order for rows whose file is gone.
 */
export function selectRollbackTargets(rows: AppliedRow[], options: Pick<DownOptions, 'steps' | 'to' | 'batch'>, order: (a: string, b: string) => number = compareVersions): AppliedRow[] {
  const applied = rows.filter((row) => row.status === 'applied').sort((a, b) => order(b.version, a.version));
  const modes = [options.steps !== undefined, options.to !== undefined, Boolean(options.batch)].filter(Boolean).length;
  if (modes > 1) throw new InputError('choose one of --steps, --to and --batch');
  if (options.to !== undefined) {
    if (!applied.some((row) => compareVersions(row.version, options.to!) === 0)) throw new InputError(`--to ${options.to}: that version is not applied`);
    const to = applied.find((row) => compareVersions(row.version, options.to!) === 0)!.version;
    return applied.filter((row) => order(row.version, to) > 0);
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
    // --to may name a version several files share (sql-migrate): keep all of its applied files.
    const appliedKeys = new Set(rows.filter((row) => row.status === 'applied').map((row) => row.version));
    const to = options.to === undefined ? undefined : (resolveTargetVersion(entries.filter((entry) => appliedKeys.has(entry.version)), options.to) ?? options.to);
    const targets = selectRollbackTargets(rows, { ...options, to }, setOrderComparator(entries));
    // Every down file is found and parsed before the first one runs: refuse rather than stop half-way.
    const plan = targets.map((row) => {
      const entry = entries.find((e) => compareVersions(e.version, row.version) === 0);
      if (!entry) throw new OperationError(`cannot roll back ${row.version}_${row.name}: its migration files are missing`);
      const downSource = downSourceOf(entry);
      if (!downSource) throw new OperationError(`cannot roll back ${row.version}_${row.name}: ${displayPath(entry.upPath)} has no down ${entry.layout && entry.layout !== 'native' ? `migration (${entry.layout} layout)` : `file (${row.version}_${row.name}.down.sql)`}; nothing was rolled back`);
      const script = loadSource(downSource);
      return { version: row.version, name: row.name, script, resume: rollbackResume(row, script, checksumOf(script.text)) };
    });
    const interrupted = rows.find((row) => row.rollback_done !== null && row.rollback_done !== undefined);
    if (interrupted && plan[0]?.version !== interrupted.version) {
      throw new OperationError(`the rollback of ${interrupted.version}_${interrupted.name} stopped part-way (${interrupted.rollback_done} down statement(s) done): finish it first with ddlgate down --steps 1; nothing was rolled back`);
    }
    await options.onPlan?.(plan);
    const done: RolledBack[] = [];
    const settings = { lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs, lockRetries: options.lockRetries, batch: 0, ...(options.indexTimeoutMs !== undefined ? { indexTimeoutMs: options.indexTimeoutMs } : {}) };
    for (const step of plan) {
      const started = performance.now();
      const { client } = session;
      const s = quoteIdent(options.schema);
      const version = client.escapeLiteral(step.version);
      const finish = (durationMs: number | 'transaction') =>
        `DELETE FROM ${s}.schema_migrations WHERE version = ${version};
${historyInsertSql(client, options.schema, { version: step.version, action: 'rollback', executionTimeMs: durationMs, status: 'success', executedBy: session.executedBy, environment: session.environment, details: step.resume ? { resumedFrom: step.resume.from } : undefined })}`;
      try {
        if (step.script.transactional) {
          // One transaction: the statements, the tracking row's removal and the history row commit together.
          await client.query(sessionResetSql());
          await runTransactionStep(session, step.script, step.script.statements, settings, finish('transaction'));
        } else {
          // Statement by statement, exactly once: each step commits with rollback_done (see runStepwise).
          if (step.resume) session.log(`${step.script.path}: resuming the rollback after statement ${step.resume.from} of ${step.script.statements.length}`);
          const checksum = client.escapeLiteral(checksumOf(step.script.text));
          await runStepwise(
            session,
            {
              script: step.script,
              version: step.version,
              from: step.resume?.from ?? 0,
              interrupted: step.resume !== undefined,
              progress: (n) => `UPDATE ${s}.schema_migrations SET rollback_done = ${n}, rollback_checksum = ${checksum} WHERE version = ${version}`,
              manual: { column: 'rollback_done', command: 'down' },
            },
            settings,
          );
          await client.query(asLoginRole(finish(performance.now() - started)));
        }
        const durationMs = performance.now() - started;
        done.push({ version: step.version, name: step.name, durationMs });
        session.log(`rolled back ${step.version}_${step.name} (${Math.round(durationMs)} ms)`);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const lost = connectionGone(error, client);
        // A down statement stops for the same outside reasons as an up one (a role, an extension): say what it needs.
        const message = error instanceof CommitFailure ? error.message : await withFailureHint(client, error);
        const entry = { version: step.version, action: 'rollback' as const, executionTimeMs: performance.now() - started, status: 'failed' as const, errorMessage: message, executedBy: session.executedBy, environment: session.environment };
        await recordOverAnyConnection(session, `the failed rollback in ${options.schema}.migration_history`, async (target) => {
          // Answered by the server with nothing done: no rollback is part-way, so up is not blocked by it.
          if (!lost) await target.query(`UPDATE ${s}.schema_migrations SET rollback_done = NULL, rollback_checksum = NULL WHERE version = $1 AND rollback_done = 0`, [step.version]);
          await insertHistory(target, options.schema, entry);
        });
        throw new RollbackFailed(step, message, done);
      }
    }
    return done;
  });
}

/**
 * Where an interrupted statement-by-statement rollback resumes: at rollback_done, if the down script is the
 * one it counted in (an edited script would skip or repeat work).
 */
function rollbackResume(row: AppliedRow, script: MigrationScript, checksum: string): { from: number } | undefined {
  if (row.rollback_done === null || row.rollback_done === undefined) return undefined;
  if (row.rollback_done > 0 && row.rollback_checksum !== checksum) {
    throw new OperationError(`${script.path}: changed after its rollback stopped part-way (${row.rollback_done} statement(s) done); restore the file to finish the rollback; nothing was rolled back`);
  }
  return { from: row.rollback_done };
}
