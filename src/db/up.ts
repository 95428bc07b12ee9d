import { OperationError } from '../errors.js';
import { migrationsOf, type MigrationSet } from '../migrations/discover.js';
import type { LayoutName } from '../migrations/types.js';
import { applyInOpenTransaction, applyMigration, applyReplayBatch, batchable, type AppliedMigration } from './apply.js';
import { quoteIdent, type Client } from './connection.js';
import { connectionGone, describePgError } from './execute.js';
import { planDifference, type PlannedMigration } from './deploy-plan.js';
import { withFailureHint } from './failure-hint.js';
import { enforceEnvironmentIdentity } from './identity.js';
import { planUp } from './plan.js';
import { recordOverAnyConnection, withMigrationSession, type MigrationSession } from './session.js';
import { insertHistory, nextBatch, readAppliedRows } from './tracking.js';

export interface RunnerSettings {
  databaseUrl: string;
  dir: string;
  schema: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockWaitMs: number;
  lockRetries: number;
  /** statement_timeout of concurrent index builds (default 4 h); they run without lock_timeout. */
  indexTimeoutMs?: number;
  environment?: string | null;
  /** Recorded as applied_by / executed_by; default: the GitHub actor, else the OS user. */
  actor?: string;
  log: (message: string) => void;
  /** Migrations layout of `dir` (--layout); detected from the files when absent. */
  layout?: LayoutName;
  /** Flyway placeholder values given to ddlgate (used when `dir` is read here). */
  placeholders?: Record<string, string>;
  /** The migrations as the command read them once (src/migrations/discover.ts); `dir` is read when absent. */
  set?: MigrationSet;
}

export interface UpOptions extends RunnerSettings {
  to?: string;
  allowOutOfOrder?: boolean;
  singleTransaction?: boolean;
  /** Retries of a concurrent index build after a transient failure (default 2). */
  indexRetries?: number;
  fingerprint?: (client: Client) => Promise<string | null>;
  /** The approved plan's pending set: anything else pending (added, edited, gone) is refused before any statement. */
  expectedPending?: PlannedMigration[];
  /** Runs after the lock is taken and before anything is applied (drift check, backup …). */
  beforeApply?: (session: MigrationSession, pendingVersions: string[]) => Promise<void>;
  /**
   * replay-base on a throwaway database: consecutive transactional migrations share one transaction
   * (src/db/apply.ts applyReplayBatch), falling back to one by one on any error. Never for a real target.
   */
  replayBatches?: boolean;
}

export interface UpResult {
  batch: number | null;
  applied: AppliedMigration[];
  failed: { version: string; name: string; error: string } | null;
}

export class MigrationFailed extends OperationError {
  constructor(readonly result: UpResult) {
    super(`migration ${result.failed!.version}_${result.failed!.name} failed: ${result.failed!.error}`);
  }
}

export async function runUp(options: UpOptions): Promise<UpResult> {
  const migrations = migrationsOf(options);
  return withMigrationSession(options, async (session) => {
    await enforceEnvironmentIdentity(session.client, options.schema, options.environment, 'apply', session.executedBy);
    const rows = await readAppliedRows(session.client, options.schema);
    const plan = planUp(migrations, rows, options);
    const unplanned = options.expectedPending ? planDifference(options.expectedPending, plan.pending) : null;
    if (unplanned) throw new OperationError(unplanned);
    if (plan.pending.length === 0) return { batch: null, applied: [], failed: null };
    await options.beforeApply?.(session, plan.pending.map((m) => m.version));
    if (options.singleTransaction) {
      const blocking = plan.pending.find((m) => !m.up.transactional);
      if (blocking) throw new OperationError(`${blocking.up.path}: --single-transaction cannot include a migration that must run outside a transaction (${blocking.up.nonTransactionalReasons[0] ?? 'ddlgate:no-transaction'})`);
    }
    const batch = await nextBatch(session.client, options.schema);
    const settings = { lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs, lockRetries: options.lockRetries, batch, ...(options.indexTimeoutMs !== undefined ? { indexTimeoutMs: options.indexTimeoutMs } : {}), ...(options.indexRetries !== undefined ? { indexRetries: options.indexRetries } : {}) };
    // Drift is checked against the fingerprint of the last applied migration only, and a fingerprint scans
    // the whole catalog: record it for the run's last migration (or, on failure, its last success) alone.
    const lastVersion = plan.pending[plan.pending.length - 1]?.version;
    const settingsFor = (version: string) => (options.fingerprint && version === lastVersion ? { ...settings, fingerprint: options.fingerprint } : settings);
    const applied: AppliedMigration[] = [];
    if (options.singleTransaction) await session.client.query('BEGIN');
    // replay-base: runs of batchable migrations go in one transaction; a failed batch is applied one by one.
    let handledThrough = -1;
    for (const [index, migration] of plan.pending.entries()) {
      if (index <= handledThrough && applied.some((done) => done.version === migration.version)) continue;
      if (options.replayBatches && !options.singleTransaction && index > handledThrough) {
        const run = replayRun(plan.pending, index, (m) => batchable(m) && !plan.resume.has(m.version) && !(options.fingerprint && m.version === lastVersion));
        if (run.length >= 2) {
          handledThrough = index + run.length - 1;
          const started = performance.now();
          if (await applyReplayBatch(session, run, settings)) {
            const durationMs = performance.now() - started;
            for (const m of run) applied.push({ version: m.version, name: m.name, durationMs, transactional: true, attempts: 1, batched: true });
            session.log(`applied ${run.length} migrations in one transaction (replay-base): ${run[0]!.version}_${run[0]!.name} … ${run[run.length - 1]!.version}_${run[run.length - 1]!.name} (${Math.round(durationMs)} ms)`);
            continue;
          }
          session.log(`replay-base: the batch of ${run.length} migrations from ${migration.version}_${migration.name} failed and was rolled back; applying them one by one`);
        }
      }
      const started = performance.now();
      try {
        const resumeFrom = plan.resume.get(migration.version);
        if (resumeFrom) session.log(`${migration.up.path}: resuming after statement ${resumeFrom} of ${migration.up.statements.length}`);
        const result = options.singleTransaction
          ? await applyInOpenTransaction(session, migration, settingsFor(migration.version))
          : await applyMigration(session, migration, settingsFor(migration.version), resumeFrom === undefined ? undefined : { from: resumeFrom });
        applied.push(result);
        session.log(`applied ${migration.version}_${migration.name} (${Math.round(result.durationMs)} ms${result.attempts > 1 ? `, ${result.attempts} attempts` : ''})`);
      } catch (error) {
        if (options.singleTransaction) await session.client.query('ROLLBACK').catch(() => {});
        const message = await withFailureHint(session.client, error, migration.layout);
        await recordFailure(session, migration.version, message, performance.now() - started, !migration.up.transactional && !options.singleTransaction);
        // Over a lost connection there is no catalog to read: the run already says the connection was lost,
        // and the next drift check reports "no fingerprint" instead of a second, confusing error line.
        const connectionLost = connectionGone(error, session.client);
        if (!options.singleTransaction && !connectionLost) await recordFingerprintOfLastSuccess(session, applied, options.fingerprint);
        const failed = { version: migration.version, name: migration.name, error: message };
        throw new MigrationFailed({ batch, applied: options.singleTransaction ? [] : applied, failed });
      }
    }
    if (options.singleTransaction) {
      try {
        await session.client.query('COMMIT');
      } catch (error) {
        // A deferred constraint or trigger failed at COMMIT: the whole batch rolled back.
        await session.client.query('ROLLBACK').catch(() => {});
        const last = plan.pending[plan.pending.length - 1]!;
        const message = `at COMMIT of the single transaction (deferred constraint or trigger): ${describePgError(error)}; nothing of this batch was applied`;
        await recordFailure(session, last.version, message, 0, false);
        throw new MigrationFailed({ batch, applied: [], failed: { version: last.version, name: last.name, error: message } });
      }
    }
    return { batch, applied, failed: null };
  });
}

/** The batchable migrations from `start` on, consecutive. */
function replayRun<T>(pending: T[], start: number, ok: (migration: T) => boolean): T[] {
  const run: T[] = [];
  for (let i = start; i < pending.length && ok(pending[i]!); i++) run.push(pending[i]!);
  return run;
}

async function recordFingerprintOfLastSuccess(session: MigrationSession, applied: AppliedMigration[], fingerprint: UpOptions['fingerprint']): Promise<void> {
  const last = applied[applied.length - 1];
  if (!fingerprint || !last) return;
  try {
    const value = await fingerprint(session.client);
    await session.client.query(`UPDATE ${quoteIdent(session.schema)}.schema_migrations SET schema_fingerprint = $2 WHERE version = $1`, [last.version, value]);
  } catch (error) {
    // The connection may be the reason the run failed; drift then reports "no fingerprint" rather than guessing.
    session.log(`could not record the schema fingerprint after ${last.version}: ${describePgError(error)}`);
  }
}

/** Writes the failed history row; over a new connection when the runner's own was lost. */
export async function recordFailure(session: MigrationSession, version: string, message: string, durationMs: number, partial: boolean): Promise<void> {
  const entry = { version, action: 'apply' as const, executionTimeMs: durationMs, status: 'failed' as const, errorMessage: message, executedBy: session.executedBy, environment: session.environment };
  const record = async (client: Client) => {
    // As the login role: the failed migration may have switched roles (SET ROLE).
    if (client === session.client) await client.query('SET SESSION AUTHORIZATION DEFAULT; RESET ROLE');
    // A statement-by-statement migration keeps its progress row: mark it failed so status shows it and up resumes it.
    if (partial) await client.query(`UPDATE ${quoteIdent(session.schema)}.schema_migrations SET status = 'failed', error_message = $2 WHERE version = $1`, [version, message]);
    await insertHistory(client, session.schema, entry);
  };
  await recordOverAnyConnection(session, `the failure in ${session.schema}.migration_history`, record);
}
