import type { Migration, MigrationScript } from '../migrations/types.js';
import type { SqlStatement } from '../sql/statements.js';
import type { Client } from './connection.js';
import { quoteIdent } from './connection.js';
import { CommitFailure, describePgError, executeStatement, StatementFailure, timeoutSettings } from './execute.js';
import { recordOverAnyConnection, type MigrationSession } from './session.js';
import { historyInsertSql, TRANSACTION_ELAPSED_MS } from './tracking.js';

export interface ApplySettings {
  lockTimeoutMs: number;
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
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Backoff between lock-timeout retries: 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so runners do not retry in step. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(500 * 2 ** (attempt - 1), 10_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

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
    // The tracking rows are written as the login role: a migration may have switched roles (SET ROLE).
    const tracking = (fingerprint: string | null) =>
      `RESET ROLE;
${trackingUpsertSql(client, session, migration, { status: 'applied', durationMs: 'transaction', batch: settings.batch, fingerprint, statementsDone: statements.length, error: null })};
${historyInsertSql(client, session.schema, { version: migration.version, action: 'apply', executionTimeMs: 'transaction', status: 'success', executedBy: session.executedBy, environment: session.environment, details: attempt > 1 ? { attempts: attempt } : undefined })}`;
    try {
      // Round trips: the first statement travels with BEGIN and the timeouts, and the last one with the
      // tracking rows (unless a fingerprint must be taken in between); COMMIT goes alone, so an error it
      // raises (a deferred constraint or trigger) is reported as the COMMIT's, not a statement's.
      // Statements are joined on new lines: a statement may end in a -- comment.
      for (const [index, statement] of statements.entries()) {
        const first = index === 0;
        const last = index === statements.length - 1 && !settings.fingerprint;
        // The session reset (what an earlier migration SET must not leak into this one) rides with BEGIN too.
        const sql = `${first ? `${SESSION_RESET_SQL};\nBEGIN; ${timeoutSettings(settings.lockTimeoutMs, settings.statementTimeoutMs, 'LOCAL')};\n` : ''}${statement.sql}\n;${last ? `\n${tracking(null)}` : ''}`;
        await executeStatement(client, migration.up, statement, sql);
      }
      if (settings.fingerprint) await client.query(tracking(await settings.fingerprint(client)));
      await commit(client, migration.up.path);
      const durationMs = performance.now() - started;
      return { version: migration.version, name: migration.name, durationMs, transactional: true, attempts: attempt };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof StatementFailure && error.isLockTimeout && attempt <= settings.lockRetries) {
        const delay = retryDelayMs(attempt);
        session.log(`${migration.up.path}:${error.statement.line}: lock not available within ${settings.lockTimeoutMs} ms; retry ${attempt}/${settings.lockRetries} in ${(delay / 1000).toFixed(1)} s`);
        await (settings.sleep ?? sleepFor)(delay);
        continue;
      }
      throw error;
    }
  }
}

/**
 * A migration's plain SET (search_path, role, work_mem …) outlives its transaction on this connection:
 * reset before each migration, so it runs as it would in a run of its own. Not DISCARD ALL: it would
 * release the migration lock. The connection check is set again (it exists from PostgreSQL 14 on).
 */
export const SESSION_RESET_SQL = `RESET ALL; RESET ROLE; SET SESSION AUTHORIZATION DEFAULT;
SELECT set_config('client_connection_check_interval', '1s', false) WHERE current_setting('server_version_num')::int >= 140000`;

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
 * Statements that cannot run in a transaction run one by one, each committed on its own; progress is
 * recorded after each, so a failed or killed run resumes at the first statement not done.
 */
async function applyStatementByStatement(session: MigrationSession, migration: Migration, settings: ApplySettings, resumeFrom: number, interrupted: boolean): Promise<AppliedMigration> {
  const { client } = session;
  const started = performance.now();
  const statements = migration.up.statements;
  const progress = (status: string, done: number, error: string | null, durationMs: number | null, fingerprint: string | null = null) =>
    client.query(trackingUpsertSql(client, session, migration, { status, durationMs, batch: settings.batch, fingerprint, statementsDone: done, error }));
  await client.query(SESSION_RESET_SQL);
  await progress('running', resumeFrom, null, null);
  await client.query(timeoutSettings(settings.lockTimeoutMs, settings.statementTimeoutMs, 'SESSION'));
  try {
    for (let index = resumeFrom; index < statements.length; index++) {
      const statement = statements[index]!;
      await runResumableStatement(session, migration.version, migration.up, statement, settings, interrupted && index === resumeFrom);
      await progress('running', index + 1, null, null);
    }
  } finally {
    await client.query(SESSION_RESET_SQL).catch(() => {});
  }
  const fingerprint = settings.fingerprint ? await settings.fingerprint(client) : null;
  const durationMs = performance.now() - started;
  await client.query(
    `${trackingUpsertSql(client, session, migration, { status: 'applied', durationMs, batch: settings.batch, fingerprint, statementsDone: statements.length, error: null })};
${historyInsertSql(client, session.schema, { version: migration.version, action: 'apply', executionTimeMs: durationMs, status: 'success', executedBy: session.executedBy, environment: session.environment, details: resumeFrom ? { resumedFrom: resumeFrom } : undefined })}`,
  );
  return { version: migration.version, name: migration.name, durationMs, transactional: false, attempts: 1, ...(resumeFrom ? { resumedFrom: resumeFrom } : {}) };
}

async function runResumableStatement(session: MigrationSession, version: string, script: MigrationScript, statement: SqlStatement, settings: ApplySettings, interrupted: boolean): Promise<void> {
  const index = concurrentIndexTarget(statement);
  let attemptNumber = 0;
  if (index) {
    // Only the statement an earlier run was stopped in can have left its own index behind: valid (killed
    // after the build, before its progress was saved) or INVALID (killed or failed during the build).
    // On any other statement a same-named index is someone else's, and the build must fail on it.
    if (interrupted) {
      const { state } = await indexState(session.client, index);
      if (state === 'valid') return;
      if (state === 'invalid') await dropInvalidIndex(session, index);
    }
    // Attempts are numbered across runs, so a build that failed, was fixed and rerun reads 1 failed, 2 success.
    attemptNumber = await lastIndexAttempt(session, version, index);
  }
  let lockRetries = 0;
  let indexRetries = 0;
  const maxIndexRetries = settings.indexRetries ?? 2;
  for (;;) {
    const started = performance.now();
    attemptNumber++;
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
      if (error instanceof StatementFailure && error.isLockTimeout && lockRetries < settings.lockRetries) {
        lockRetries++;
        const delay = retryDelayMs(lockRetries);
        session.log(`${script.path}:${statement.line}: lock not available within ${settings.lockTimeoutMs} ms; retry ${lockRetries}/${settings.lockRetries} in ${(delay / 1000).toFixed(1)} s`);
        await (settings.sleep ?? sleepFor)(delay);
        continue;
      }
      if (index && error instanceof StatementFailure && isTransientBuildFailure(error) && indexRetries < maxIndexRetries) {
        indexRetries++;
        const delay = retryDelayMs(indexRetries);
        session.log(`${script.path}:${statement.line}: index build of ${index.name} failed (${error.sqlState}); INVALID index dropped, retry ${indexRetries}/${maxIndexRetries} in ${(delay / 1000).toFixed(1)} s`);
        await (settings.sleep ?? sleepFor)(delay);
        continue;
      }
      throw error;
    }
  }
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
  const result = await session.client.query(`SELECT coalesce(max(attempt), 0) AS n FROM ${quoteIdent(session.schema)}.index_build_history WHERE version = $1 AND index_name = $2`, [version, indexLabel(index)]);
  return Number(result.rows[0].n);
}

/** One row per build attempt in index_build_history; over a fresh connection when the runner's was lost. */
async function recordIndexAttempt(session: MigrationSession, version: string, index: IndexTarget, attempt: number, error: unknown, durationMs: number): Promise<void> {
  const message = error === null ? null : error instanceof StatementFailure ? error.message : describePgError(error);
  const sql = `INSERT INTO ${quoteIdent(session.schema)}.index_build_history (version, index_name, attempt, status, error_message, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)`;
  const params = [version, indexLabel(index), attempt, error === null ? 'success' : 'failed', message, Math.round(durationMs)];
  await recordOverAnyConnection(session, `the index build attempt in ${session.schema}.index_build_history`, (client) => client.query(sql, params));
}

function indexLabel(index: IndexTarget): string {
  return index.schema ? `${index.schema}.${index.name}` : index.name;
}

export interface IndexTarget {
  schema: string | null;
  name: string;
  /** The indexed table as written in the statement (quoted; resolved through search_path when unqualified). */
  table: string;
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
