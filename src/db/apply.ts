import type { Migration, MigrationScript } from '../migrations/types.js';
import type { SqlStatement } from '../sql/statements.js';
import { OperationError } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import type { Client } from './connection.js';
import { quoteIdent, sessionGuardsSql, sideQuery } from './connection.js';
import { CommitFailure, describePgError, executeStatement, StatementFailure, timeoutSettings } from './execute.js';
import { DEFAULT_INDEX_TIMEOUT_MS, lockTimeoutForAttempt, retryDelayMs, WAIT_REPORT_MS } from './lock-policy.js';
import { recordOverAnyConnection, type MigrationSession } from './session.js';
import { planSteps, qualified, sessionReplay, type IndexTarget, type Step } from './steps.js';
import { historyInsertSql, TRANSACTION_ELAPSED_MS } from './tracking.js';

export { retryDelayMs } from './lock-policy.js';
export type { IndexTarget } from './steps.js';

export interface ApplySettings {
  /** The longest lock_timeout of one attempt: attempts start at LOCK_TIMEOUT_START_MS and double up to it. */
  lockTimeoutMs: number;
  /** First attempt's lock_timeout (default 100 ms, never above lockTimeoutMs). */
  lockTimeoutStartMs?: number;
  /** statement_timeout of concurrent index builds, which run with no lock_timeout (default 4 h). */
  indexTimeoutMs?: number;
  /** How often a waiting index build names what it waits for (default 10 s). */
  waitReportMs?: number;
  statementTimeoutMs: number;
  lockRetries: number;
  /** Retries of a concurrent index build that failed transiently (deadlock, cancel), after dropping the INVALID index. Default 2. */
  indexRetries?: number;
  batch: number;
  /** Called after the statements ran, inside the migration's transaction (e.g. to record a schema fingerprint). */
  fingerprint?: (client: Client) => Promise<string | null>;
  sleep?: (ms: number) => Promise<void>;
}

export interface AppliedMigration {
  version: string;
  name: string;
  durationMs: number;
  transactional: boolean;
  attempts: number;
  resumedFrom?: number;
  /** Applied in a replay-base batch (src/db/up.ts): durationMs is the batch's. */
  batched?: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `resume`: set when an earlier run left this (statement-by-statement) migration part-way; `from` is the
 * first statement not known to be done.
 */
export async function applyMigration(session: MigrationSession, migration: Migration, settings: ApplySettings, resume?: { from: number }): Promise<AppliedMigration> {
  return migration.up.transactional
    ? applyTransactional(session, migration, settings)
    : applyStatementByStatement(session, migration, settings, resume?.from ?? 0, resume !== undefined);
}

/** 'transaction': the server's own measure, from BEGIN to this statement, for rows written with COMMIT. */
export function durationSql(durationMs: number | null | 'transaction'): string {
  if (durationMs === 'transaction') return TRANSACTION_ELAPSED_MS;
  return durationMs === null ? 'NULL' : String(Math.round(durationMs));
}

function trackingUpsertSql(client: Client, session: MigrationSession, migration: Migration, fields: { status: string; durationMs: number | null | 'transaction'; batch: number; fingerprint: string | null; statementsDone: number; error: string | null }): string {
  const lit = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
  const s = quoteIdent(session.schema);
  return `INSERT INTO ${s}.schema_migrations AS m (version, name, checksum, status, applied_at, applied_by, execution_time_ms, error_message, batch, schema_fingerprint, statements_done)
VALUES (${lit(migration.version)}, ${lit(migration.name)}, ${lit(migration.checksum)}, ${lit(fields.status)}, ${fields.status === 'applied' ? 'now()' : 'NULL'}, ${lit(session.executedBy)}, ${durationSql(fields.durationMs)}, ${lit(fields.error)}, ${fields.batch}, ${lit(fields.fingerprint)}, ${fields.statementsDone})
ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, status = EXCLUDED.status, applied_at = EXCLUDED.applied_at,
  applied_by = EXCLUDED.applied_by, execution_time_ms = EXCLUDED.execution_time_ms, error_message = EXCLUDED.error_message, batch = EXCLUDED.batch,
  schema_fingerprint = EXCLUDED.schema_fingerprint, statements_done = EXCLUDED.statements_done`;
}

/**
 * One transaction: BEGIN with local timeouts, the statements, the tracking row and the history row, COMMIT.
 * A lock timeout rolls everything back and retries with backoff, so a migration waiting for a busy table
 * never queues other sessions behind it for longer than lock_timeout.
 */
async function applyTransactional(session: MigrationSession, migration: Migration, settings: ApplySettings): Promise<AppliedMigration> {
  const { client } = session;
  const statements = migration.up.statements;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const lockTimeoutMs = lockTimeoutForAttempt(attempt, settings);
    const tracking = (fingerprint: string | null) => appliedRowsSql(client, session, migration, settings.batch, attempt, fingerprint);
    try {
      // Round trips: the first statement travels with BEGIN and the timeouts, and the last one with the
      // tracking rows (unless a fingerprint must be taken in between); COMMIT goes alone, so an error it
      // raises (a deferred constraint or trigger) is reported as the COMMIT's, not a statement's.
      // Statements are joined on new lines: a statement may end in a -- comment.
      for (const [index, statement] of statements.entries()) {
        const first = index === 0;
        const last = index === statements.length - 1 && !settings.fingerprint;
        // The session reset (what an earlier migration SET must not leak into this one) rides with BEGIN too.
        const sql = `${first ? `${sessionResetSql()};\nBEGIN; ${timeoutSettings(lockTimeoutMs, settings.statementTimeoutMs, 'LOCAL')};\n` : ''}${statement.sql}\n;${last ? `\n${tracking(null)}` : ''}`;
        await executeStatement(client, migration.up, statement, sql);
      }
      if (settings.fingerprint) await client.query(tracking(await settings.fingerprint(client)));
      await commit(client, migration.up.path);
      const durationMs = performance.now() - started;
      return { version: migration.version, name: migration.name, durationMs, transactional: true, attempts: attempt };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof StatementFailure && error.isLockTimeout && attempt <= settings.lockRetries) {
        await backOff(session, settings, `${migration.up.path}:${error.statement.line}`, attempt, lockTimeoutMs);
        continue;
      }
      throw error;
    }
  }
}

/** The tracking and history rows of a migration applied in the open transaction, written as the login role (a migration may SET ROLE). */
function appliedRowsSql(client: Client, session: MigrationSession, migration: Migration, batch: number, attempt: number, fingerprint: string | null): string {
  return `RESET ROLE;
${trackingUpsertSql(client, session, migration, { status: 'applied', durationMs: 'transaction', batch, fingerprint, statementsDone: migration.up.statements.length, error: null })};
${historyInsertSql(client, session.schema, { version: migration.version, action: 'apply', executionTimeMs: 'transaction', status: 'success', executedBy: session.executedBy, environment: session.environment, details: attempt > 1 ? { attempts: attempt } : undefined })}`;
}

/**
 * Whether a migration may share a transaction with its neighbours in a replay batch: it runs in a
 * transaction anyway, and leaves no session state (SET, RESET, SET ROLE, set_config, DISCARD) or new enum
 * label (unusable until committed) behind for the next one.
 */
export function batchable(migration: Migration): boolean {
  return (
    migration.up.transactional &&
    migration.up.statements.length > 0 &&
    migration.up.statements.every((statement) => !BATCH_BREAKERS.has(statement.kind) && !/set_config/i.test(statement.sql))
  );
}
const BATCH_BREAKERS = new Set(['VariableSetStmt', 'DiscardStmt', 'TransactionStmt', 'AlterEnumStmt']);

/**
 * replay-base on a throwaway database only: consecutive batchable migrations in one transaction with their
 * tracking rows, sent as one query (one round trip and one commit for the lot, instead of two round trips
 * and a commit per migration). Their durations are the batch's elapsed time so far. On any error the whole
 * batch is rolled back and false returned: the caller then applies the same migrations one by one, which
 * names the failing statement exactly and records the failure, as a run without batches would.
 */
export async function applyReplayBatch(session: MigrationSession, migrations: Migration[], settings: ApplySettings): Promise<boolean> {
  const { client } = session;
  const parts = [`${sessionResetSql()};\nBEGIN; ${timeoutSettings(settings.lockTimeoutMs, settings.statementTimeoutMs, 'LOCAL')};`];
  for (const migration of migrations) {
    // Statements on their own lines: a statement may end in a -- comment.
    for (const statement of migration.up.statements) parts.push(`${statement.sql}\n;`);
    parts.push(`${appliedRowsSql(client, session, migration, settings.batch, 1, null)};`);
  }
  parts.push('COMMIT');
  try {
    await client.query(parts.join('\n'));
    return true;
  } catch {
    await client.query('ROLLBACK').catch(() => {});
    return false;
  }
}

/**
 * A migration's plain SET (search_path, role, work_mem …) outlives its transaction on this connection:
 * reset before each migration, so it runs as it would in a run of its own. Not DISCARD ALL: it would
 * release the migration lock. The connection check is set again (it exists from PostgreSQL 14 on).
 */
export function sessionResetSql(): string {
  return `RESET ALL; RESET ROLE; SET SESSION AUTHORIZATION DEFAULT;\n${sessionGuardsSql(true)}`;
}

/** COMMIT alone, so that its own errors (deferred constraints, triggers) are named as such. */
async function commit(client: Client, path: string): Promise<void> {
  try {
    await client.query('COMMIT');
  } catch (error) {
    throw new CommitFailure(path, error);
  }
}

/**
 * --single-transaction: the caller's transaction is already open; run the statements and write the
 * tracking rows inside it, so the whole batch commits or rolls back together.
 */
export async function applyInOpenTransaction(session: MigrationSession, migration: Migration, settings: ApplySettings): Promise<AppliedMigration> {
  const { client } = session;
  const started = performance.now();
  await client.query(timeoutSettings(settings.lockTimeoutMs, settings.statementTimeoutMs, 'LOCAL'));
  for (const statement of migration.up.statements) await executeStatement(client, migration.up, statement);
  const fingerprint = settings.fingerprint ? await settings.fingerprint(client) : null;
  const durationMs = performance.now() - started;
  await client.query(
    `${trackingUpsertSql(client, session, migration, { status: 'applied', durationMs, batch: settings.batch, fingerprint, statementsDone: migration.up.statements.length, error: null })};
${historyInsertSql(client, session.schema, { version: migration.version, action: 'apply', executionTimeMs: durationMs, status: 'success', executedBy: session.executedBy, environment: session.environment })}`,
  );
  return { version: migration.version, name: migration.name, durationMs, transactional: true, attempts: 1 };
}

/**
 * A statement-by-statement migration, exactly once by construction (see steps.ts and runStepwise); its
 * tracking row says how many statements are done, and the last write marks it applied with its history row.
 */
async function applyStatementByStatement(session: MigrationSession, migration: Migration, settings: ApplySettings, resumeFrom: number, interrupted: boolean): Promise<AppliedMigration> {
  const { client } = session;
  const started = performance.now();
  const statements = migration.up.statements;
  const progress = (done: number, status: 'running' | 'applied' = 'running', durationMs: number | null = null, fingerprint: string | null = null) =>
    trackingUpsertSql(client, session, migration, { status, durationMs, batch: settings.batch, fingerprint, statementsDone: done, error: null });
  await runStepwise(session, { script: migration.up, version: migration.version, from: resumeFrom, interrupted, progress: (done) => progress(done) }, settings);
  const fingerprint = settings.fingerprint ? await settings.fingerprint(client) : null;
  const durationMs = performance.now() - started;
  await client.query(
    asLoginRole(`${progress(statements.length, 'applied', durationMs, fingerprint)};
${historyInsertSql(client, session.schema, { version: migration.version, action: 'apply', executionTimeMs: durationMs, status: 'success', executedBy: session.executedBy, environment: session.environment, details: resumeFrom ? { resumedFrom: resumeFrom } : undefined })}`),
  );
  return { version: migration.version, name: migration.name, durationMs, transactional: false, attempts: 1, ...(resumeFrom ? { resumedFrom: resumeFrom } : {}) };
}

/** One script run step by step: where to start, and how its progress is recorded (up: statements_done; down: rollback_done). */
export interface StepwiseRun {
  script: MigrationScript;
  /** The migration's version (index build attempts are recorded under it). */
  version: string;
  /** The first statement not known to be done. */
  from: number;
  /** An earlier run stopped part-way at `from`: a bare statement there is looked up in the catalog first. */
  interrupted: boolean;
  /** SQL recording that the first `done` statements are done; it commits with the step, as the login role. */
  progress: (done: number) => string;
  /** How a user records a bare statement by hand (the column and the command to run again), when the catalog cannot tell. */
  manual?: { column: string; command: string };
}

/**
 * The exactly-once engine for a script run statement by statement, shared by up and down: each statement
 * that can run in a transaction commits together with its progress row; a bare statement (CREATE INDEX
 * CONCURRENTLY, VACUUM …) runs alone and its progress is written right after. On resume the session the
 * next statement had is rebuilt first (SET, SET ROLE, search_path, set_config), and a bare statement the
 * interrupted run may have finished is looked up in the catalog instead of being run again. Records the
 * progress of `from` before the first step, so an interruption during a bare first statement is known.
 */
export async function runStepwise(session: MigrationSession, run: StepwiseRun, settings: ApplySettings): Promise<void> {
  const { client } = session;
  const { script, from: resumeFrom, interrupted, progress } = run;
  const statements = script.statements;
  const steps = planSteps(script, await serverVersionNum(client));
  const first = resumeFrom >= statements.length ? steps.length : steps.findIndex((step) => step.from === resumeFrom);
  if (first < 0) throw new OperationError(`${script.path}: the recorded progress (${resumeFrom} statement(s) done) does not fall between two steps of the file as it is now; restore the file or record the state with ddlgate repair`);
  await client.query(sessionResetSql());
  if (resumeFrom > 0 && first < steps.length) {
    const replay = sessionReplay(script, resumeFrom);
    if (!replay.ok) throw new OperationError(`${script.path}: cannot resume after statement ${resumeFrom}: ${replay.reason}; finish the migration by hand, then record it with ddlgate baseline or repair`);
    for (const statement of replay.statements) await executeStatement(client, script, statement);
    if (replay.statements.length) session.log(`${script.path}: session re-established for the resume (${replay.statements.map((st) => `line ${st.line}`).join(', ')})`);
  }
  await client.query(asLoginRole(progress(resumeFrom)));
  try {
    for (let k = first; k < steps.length; k++) {
      const step = steps[k]!;
      if (step.kind === 'transaction') {
        await runTransactionStep(session, script, step.statements, settings, progress(step.to));
        continue;
      }
      if (interrupted && k === first && (await completedBefore(session, script, step, run.manual))) {
        await client.query(asLoginRole(progress(step.to)));
        continue;
      }
      await runBareStatement(session, run.version, script, step.statement, settings);
      await client.query(asLoginRole(progress(step.to)));
    }
  } finally {
    await client.query(sessionResetSql()).catch(() => {});
  }
}

/**
 * Tracking writes in a transaction of their own, as the login role: the migration may have switched roles
 * (SET ROLE). SET LOCAL ends with the transaction, so the migration's own role is back for its next statement.
 */
export function asLoginRole(sql: string): string {
  return `BEGIN; ${LOGIN_ROLE_LOCAL};\n${sql};\nCOMMIT`;
}
const LOGIN_ROLE_LOCAL = 'SET LOCAL SESSION AUTHORIZATION DEFAULT; SET LOCAL ROLE NONE';

export async function serverVersionNum(client: Client): Promise<number> {
  const result = await client.query(`SELECT current_setting('server_version_num')::int AS v`);
  return Number(result.rows[0].v);
}

/**
 * One step in one transaction with its progress row: BEGIN, escalating lock timeout, the statement(s), the
 * progress row written as the login role, then COMMIT alone (so a deferred constraint's error is named as
 * the COMMIT's). A lock timeout rolls everything back and retries with jittered backoff.
 */
export async function runTransactionStep(session: MigrationSession, script: MigrationScript, statements: SqlStatement[], settings: ApplySettings, progressSql: string): Promise<void> {
  const { client } = session;
  for (let attempt = 1; ; attempt++) {
    const lockTimeoutMs = lockTimeoutForAttempt(attempt, settings);
    try {
      for (const [index, statement] of statements.entries()) {
        const head = index === 0 ? `BEGIN; ${timeoutSettings(lockTimeoutMs, settings.statementTimeoutMs, 'LOCAL')};\n` : '';
        const tail = index === statements.length - 1 ? `\n;${LOGIN_ROLE_LOCAL};\n${progressSql}` : '';
        await executeStatement(client, script, statement, `${head}${statement.sql}\n${tail}`);
      }
      if (statements.length === 0) await client.query(`BEGIN; ${LOGIN_ROLE_LOCAL}; ${progressSql}`);
      await commit(client, script.path);
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof StatementFailure && error.isLockTimeout && attempt <= settings.lockRetries) {
        await backOff(session, settings, `${script.path}:${error.statement.line}`, attempt, lockTimeoutMs);
        continue;
      }
      throw error;
    }
  }
}

async function backOff(session: MigrationSession, settings: ApplySettings, where: string, attempt: number, lockTimeoutMs: number): Promise<void> {
  const delay = retryDelayMs(attempt);
  session.log(`${where}: lock not available within ${lockTimeoutMs} ms; retry ${attempt}/${settings.lockRetries} in ${(delay / 1000).toFixed(1)} s`);
  await (settings.sleep ?? sleepFor)(delay);
}

/**
 * Whether a bare statement the interrupted run may have finished did finish, from the catalog. Runs with the
 * re-established session, so unqualified names resolve as the statement's did.
 */
async function completedBefore(session: MigrationSession, script: MigrationScript, step: Extract<Step, { kind: 'bare' }>, manual = { column: 'statements_done', command: 'up' }): Promise<boolean> {
  const { client } = session;
  const where = `${script.path}:${step.statement.line}`;
  const completion = step.completion;
  const say = (text: string) => session.log(`${where}: ${text}`);
  switch (completion.kind) {
    case 'index-built': {
      const { state, schema } = await indexState(client, completion.index);
      if (state === 'valid') say(`index ${schema}.${completion.index.name} exists and is valid: the interrupted run built it; not run again`);
      if (state === 'invalid') await dropInvalidIndex(session, completion.index);
      return state === 'valid';
    }
    case 'index-dropped': {
      const result = await client.query(`SELECT count(*)::int AS n FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NOT NULL`, [completion.names.map(qualified)]);
      if (result.rows[0].n === 0) say('the index is gone: the interrupted run dropped it; not run again');
      return result.rows[0].n === 0;
    }
    case 'enum-value': {
      const result = await client.query(`SELECT 1 FROM pg_enum WHERE enumtypid = to_regtype($1) AND enumlabel = $2`, [qualified(completion.type), completion.label]);
      if (result.rows.length) say(`enum value '${completion.label}' exists: the interrupted run added it; not run again`);
      return result.rows.length > 0;
    }
    case 'database':
    case 'tablespace': {
      const table = completion.kind === 'database' ? 'pg_database WHERE datname' : 'pg_tablespace WHERE spcname';
      const exists = (await client.query(`SELECT 1 FROM ${table} = $1`, [completion.name])).rows.length > 0;
      if (exists === completion.exists) say(`${completion.kind} ${completion.name} ${exists ? 'exists' : 'is gone'}: the interrupted run did it; not run again`);
      return exists === completion.exists;
    }
    case 'partition-detached': {
      const result = await client.query(`SELECT inhdetachpending AS pending FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2)`, [qualified(completion.partition), qualified(completion.parent)]);
      if (result.rows.length === 0) {
        say('the partition is detached: the interrupted run detached it; not run again');
        return true;
      }
      if (result.rows[0].pending) {
        say('finishing the detach the interrupted run started (DETACH PARTITION … FINALIZE)');
        await client.query(`ALTER TABLE ${qualified(completion.parent)} DETACH PARTITION ${qualified(completion.partition)} FINALIZE`);
        return true;
      }
      return false;
    }
    case 'repeatable':
      return false;
    case 'unknown': {
      const versionHint = `UPDATE ${quoteIdent(session.schema)}.schema_migrations SET ${manual.column} = ${step.to} WHERE version = '…'`;
      throw new OperationError(`${where}: the interrupted run may or may not have completed this ${step.reason}, and ddlgate will not run it again blindly: check ${completion.check}; if it did not, run it by hand; then record it (${versionHint}) and run ${manual.command} again`);
    }
  }
}

/** A bare statement; concurrent index builds on their own clock (see runIndexBuild). */
async function runBareStatement(session: MigrationSession, version: string, script: MigrationScript, statement: SqlStatement, settings: ApplySettings): Promise<void> {
  if (isIndexBuild(statement)) return runIndexBuild(session, version, script, statement, settings);
  for (let attempt = 1; ; attempt++) {
    const lockTimeoutMs = lockTimeoutForAttempt(attempt, settings);
    await session.client.query(timeoutSettings(lockTimeoutMs, settings.statementTimeoutMs, 'SESSION'));
    try {
      await executeStatement(session.client, script, statement);
      return;
    } catch (error) {
      if (error instanceof StatementFailure && error.isLockTimeout && attempt <= settings.lockRetries) {
        await backOff(session, settings, `${script.path}:${statement.line}`, attempt, lockTimeoutMs);
        continue;
      }
      throw error;
    }
  }
}

/** CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY: they wait for older transactions by design. */
function isIndexBuild(statement: SqlStatement): boolean {
  const node = statement.node;
  return Boolean(node.IndexStmt?.concurrent || node.DropStmt?.concurrent || (node.ReindexStmt && (node.ReindexStmt.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')));
}

/**
 * A concurrent index build takes a lock that blocks no reads or writes, and legitimately waits for older
 * transactions: it runs with no lock timeout and its own statement timeout, is never cancelled by lock
 * retries, and while it waits ddlgate says every WAIT_REPORT_MS which transactions it waits for.
 * Transient failures (deadlock, cancel) are retried after dropping the INVALID index.
 */
async function runIndexBuild(session: MigrationSession, version: string, script: MigrationScript, statement: SqlStatement, settings: ApplySettings): Promise<void> {
  const index = concurrentIndexTarget(statement);
  let attemptNumber = index ? await lastIndexAttempt(session, version, index) : 0;
  let indexRetries = 0;
  const maxIndexRetries = settings.indexRetries ?? 2;
  await session.client.query(timeoutSettings(0, settings.indexTimeoutMs ?? DEFAULT_INDEX_TIMEOUT_MS, 'SESSION'));
  try {
    for (;;) {
      const started = performance.now();
      attemptNumber++;
      const stopReporting = reportWaits(session, `${script.path}:${statement.line}`, settings.waitReportMs ?? WAIT_REPORT_MS);
      try {
        await executeStatement(session.client, script, statement);
        if (index) await recordIndexAttempt(session, version, index, attemptNumber, null, performance.now() - started);
        return;
      } catch (error) {
        const durationMs = performance.now() - started;
        if (index) {
          // Not after "already exists" (42P07): that index was there before this statement and is not ours.
          if (!(error instanceof StatementFailure && (error.connectionLost || error.sqlState === '42P07'))) await dropInvalidIndex(session, index).catch(() => {});
          await recordIndexAttempt(session, version, index, attemptNumber, error, durationMs);
        }
        if (index && error instanceof StatementFailure && isTransientBuildFailure(error) && indexRetries < maxIndexRetries) {
          indexRetries++;
          const delay = retryDelayMs(indexRetries);
          session.log(`${script.path}:${statement.line}: index build of ${index.name} failed (${error.sqlState}); INVALID index dropped, retry ${indexRetries}/${maxIndexRetries} in ${(delay / 1000).toFixed(1)} s`);
          await (settings.sleep ?? sleepFor)(delay);
          continue;
        }
        throw error;
      } finally {
        stopReporting();
      }
    }
  } finally {
    await session.client.query(timeoutSettings(settings.lockTimeoutMs, settings.statementTimeoutMs, 'SESSION')).catch(() => {});
  }
}

/** While the runner's statement waits for a lock, names the sessions it waits for, every `everyMs`. */
function reportWaits(session: MigrationSession, where: string, everyMs: number): () => void {
  const pid = (session.client as unknown as { processID: number }).processID;
  const started = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const report = async () => {
    try {
      const rows = await sideQuery(
        session.client,
        `SELECT b.pid, coalesce(b.application_name, '') AS app, coalesce(b.state, '') AS state,
                extract(epoch FROM now() - coalesce(b.xact_start, b.query_start, b.backend_start))::int AS age, b.query
           FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids($1))
          ORDER BY b.xact_start NULLS LAST`,
        [pid],
      );
      if (!stopped && rows.length) session.log(`${where}: index build waiting ${Math.round((Date.now() - started) / 1000)} s for ${rows.map(describeBlocker).join('; ')}`);
    } catch {
      // The report is a courtesy: the build itself is watched by the connection's liveness check.
    }
    if (!stopped) timer = setTimeout(report, everyMs);
  };
  timer = setTimeout(report, Math.min(everyMs, 5000));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** One waited-for session: pid, application, state, age and the start of its query — never a literal (a password may be one). */
export function describeBlocker(row: { pid: number; app: string; state: string; age: number; query: string | null }): string {
  const query = scrubSecrets(
    (row.query ?? '')
      .replace(/'(?:[^']|'')*'?/g, "'…'")
      .replace(/\$([A-Za-z_]*)\$[\s\S]*?(\$\1\$|$)/g, '$…$')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const start = query.length > 60 ? `${query.slice(0, 60)}…` : query;
  return `pid ${row.pid} (${row.app || 'no application_name'}, ${row.state || 'unknown state'}, transaction open ${row.age} s${start ? `: ${start}` : ''})`;
}

/**
 * Failures of a concurrent build that another attempt can get past: a deadlock or serialization failure
 * with concurrent DDL, or a cancel by someone else. A duplicate key, a bad column or a statement_timeout
 * would fail the same way again — after another full scan of the table — so those are not retried.
 */
export function isTransientBuildFailure(error: StatementFailure): boolean {
  const code = error.sqlState;
  if (code === '40P01' || code === '40001' || code === '55006' || code === '53200') return true;
  return code === '57014' && /user request/i.test(error.message);
}

async function lastIndexAttempt(session: MigrationSession, version: string, index: IndexTarget): Promise<number> {
  const { client } = session;
  // As the login role, like every tracking access: the migration may have switched roles.
  const result = await client.query(
    `BEGIN; ${LOGIN_ROLE_LOCAL};\nSELECT coalesce(max(attempt), 0) AS n FROM ${quoteIdent(session.schema)}.index_build_history WHERE version = ${client.escapeLiteral(version)} AND index_name = ${client.escapeLiteral(indexLabel(index))};\nCOMMIT`,
  );
  const rows = (Array.isArray(result) ? result.find((r) => r.command === 'SELECT') : result).rows;
  return Number(rows[0].n);
}

/** One row per build attempt in index_build_history; over a fresh connection when the runner's was lost. */
async function recordIndexAttempt(session: MigrationSession, version: string, index: IndexTarget, attempt: number, error: unknown, durationMs: number): Promise<void> {
  const message = error === null ? null : error instanceof StatementFailure ? error.message : describePgError(error);
  const sql = (client: Client) => {
    const lit = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
    return asLoginRole(
      `INSERT INTO ${quoteIdent(session.schema)}.index_build_history (version, index_name, attempt, status, error_message, duration_ms) VALUES (${lit(version)}, ${lit(indexLabel(index))}, ${attempt}, ${lit(error === null ? 'success' : 'failed')}, ${lit(message)}, ${Math.round(durationMs)})`,
    );
  };
  await recordOverAnyConnection(session, `the index build attempt in ${session.schema}.index_build_history`, (client) => client.query(sql(client)));
}

function indexLabel(index: IndexTarget): string {
  return index.schema ? `${index.schema}.${index.name}` : index.name;
}

/** The index a CREATE INDEX CONCURRENTLY statement builds, when it names one. */
export function concurrentIndexTarget(statement: SqlStatement): IndexTarget | undefined {
  const node = statement.node.IndexStmt;
  if (!node?.concurrent || !node.idxname || !node.relation?.relname) return undefined;
  const schema: string | null = node.relation.schemaname ?? null;
  const table = schema ? `${quoteIdent(schema)}.${quoteIdent(node.relation.relname)}` : quoteIdent(node.relation.relname);
  return { schema, name: node.idxname, table };
}

/**
 * The state of the index this statement builds: matched by name AND table (an index lives in its table's
 * schema), so a same-named index elsewhere is never taken for it, skipped or dropped.
 */
async function indexState(client: Client, index: IndexTarget): Promise<{ state: 'valid' | 'invalid' | 'absent'; schema?: string }> {
  const result = await client.query(
    `SELECT i.indisvalid, n.nspname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND i.indrelid = to_regclass($2)`,
    [index.name, index.table],
  );
  const row = result.rows[0];
  if (!row) return { state: 'absent' };
  return { state: row.indisvalid ? 'valid' : 'invalid', schema: row.nspname };
}

/** An INVALID index left by a failed concurrent build still slows every write: drop it before anything else. */
export async function dropInvalidIndex(session: Pick<MigrationSession, 'client' | 'log'>, index: IndexTarget): Promise<void> {
  const found = await indexState(session.client, index);
  if (found.state !== 'invalid') return;
  session.log(`dropping INVALID index ${found.schema}.${index.name} left by a failed concurrent build`);
  await session.client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(found.schema!)}.${quoteIdent(index.name)}`);
}
