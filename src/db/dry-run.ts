import { migrationsOf } from '../migrations/discover.js';
import type { Migration } from '../migrations/types.js';
import { withoutConcurrently } from '../sql/concurrently.js';
import type { SqlStatement } from '../sql/statements.js';
import { nonTransactionalReason } from '../sql/transaction-rules.js';
import { acquireMigrationLock, describeHolder, releaseMigrationLock } from './advisory-lock.js';
import { closeQuietly, connect, type Client } from './connection.js';
import { enforceEnvironmentIdentity } from './identity.js';
import { describePgError, StatementFailure } from './execute.js';
import { planUp } from './plan.js';
import { currentActor, currentEnvironment } from './session.js';
import { insertHistory, readAppliedRows, trackingTablesExist } from './tracking.js';
import type { RunnerSettings } from './up.js';

export interface LockInfo {
  relation: string;
  mode: string;
  blocks: Array<'reads' | 'writes'>;
}

export interface DryRunStatement {
  line: number;
  sql: string;
  durationMs: number;
  locks: LockInfo[];
  rewrites: string[];
  /** How the statement was validated when it could not run as written, e.g. without CONCURRENTLY. */
  note?: string;
  error?: string;
  [extra: string]: unknown;
}

export interface DryRunMigration {
  version: string;
  name: string;
  path: string;
  ok: boolean;
  error: string | null;
  durationMs: number;
  transactional: boolean;
  statements: DryRunStatement[];
  [extra: string]: unknown;
}

export interface DryRunReport {
  ok: boolean;
  migrations: DryRunMigration[];
  [extra: string]: unknown;
}

/**
 * Observes each statement inside the rolled-back transaction (the lock trace plugs in here).
 * `before` runs just before the statement, `after` just after it succeeded, on the same backend.
 */
export interface StatementObserver {
  begin?(client: Client): Promise<void>;
  before(client: Client, statement: SqlStatement): Promise<void>;
  /**
   * A parameter-free query to run right after the statement in the same round trip; its rows are handed
   * to `after` (saves one round trip per statement).
   */
  probeSql?(): string;
  after(client: Client, statement: SqlStatement, result: DryRunStatement, probeRows?: Array<Record<string, unknown>>): Promise<void>;
  finish?(client: Client, report: DryRunReport): Promise<void>;
}

export interface DryRunOptions extends RunnerSettings {
  to?: string;
  allowOutOfOrder?: boolean;
  observer?: StatementObserver;
}

/** SQLSTATE 55P04: "unsafe use of new value … of enum type". */
const UNSAFE_NEW_ENUM_VALUE = '55P04';

/** Statements a transaction cannot run at all, even without CONCURRENTLY: validated by parsing only. */
const UNRUNNABLE = new Set(['VACUUM', 'ALTER SYSTEM', 'CREATE DATABASE', 'DROP DATABASE', 'CREATE TABLESPACE', 'DROP TABLESPACE']);

/**
 * Runs every pending migration inside one transaction that is always rolled back, with a savepoint
 * per migration so every failing migration is reported, not only the first. Nothing persists except
 * one `dry-run` audit row, written after the rollback when the tracking tables already exist.
 */
export async function runDryRun(options: DryRunOptions): Promise<DryRunReport> {
  const migrations = migrationsOf(options);
  const client = await connect(options.databaseUrl);
  const started = performance.now();
  let report: DryRunReport = { ok: true, migrations: [] };
  try {
    await acquireMigrationLock(client, options.schema, {
      waitMs: options.lockWaitMs,
      onWait: (holder, waited) => options.log(`waiting for the migration lock (${Math.round(waited / 1000)} s): ${describeHolder(holder)}`),
    });
    await enforceEnvironmentIdentity(client, options.schema, options.environment, 'dry-run', options.actor ?? currentActor());
    const rows = await readAppliedRows(client, options.schema);
    const plan = planUp(migrations, rows, options);
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${options.lockTimeoutMs}ms'; SET LOCAL statement_timeout = '${options.statementTimeoutMs}ms'`);
      await options.observer?.begin?.(client);
      for (const migration of plan.pending) {
        const resumeFrom = plan.resume.get(migration.version) ?? 0;
        report.migrations.push(await dryRunMigration(client, migration, resumeFrom, options.observer, report.migrations.length === 0));
      }
      report.ok = report.migrations.every((m) => m.ok);
      await options.observer?.finish?.(client, report);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
    if (await trackingTablesExist(client, options.schema)) {
      await insertHistory(client, options.schema, {
        version: null,
        action: 'dry-run',
        executionTimeMs: performance.now() - started,
        status: report.ok ? 'success' : 'failed',
        errorMessage: report.migrations.find((m) => !m.ok)?.error ?? null,
        executedBy: options.actor ?? currentActor(),
        environment: currentEnvironment(options.environment),
        details: { migrations: report.migrations.map((m) => m.version) },
      });
    }
  } finally {
    await releaseMigrationLock(client, options.schema).catch(() => {});
    await closeQuietly(client);
  }
  report = { ...report, ok: report.migrations.every((m) => m.ok) };
  return report;
}

async function dryRunMigration(client: Client, migration: Migration, resumeFrom: number, observer: StatementObserver | undefined, first: boolean): Promise<DryRunMigration> {
  const started = performance.now();
  const result: DryRunMigration = {
    version: migration.version,
    name: migration.name,
    path: migration.up.path,
    ok: true,
    error: null,
    durationMs: 0,
    transactional: migration.up.transactional,
    statements: [],
    // Header metadata of other tools' files (`-- Purpose: …`), so reports can say what a migration is for.
    ...(migration.metadata ? { metadata: migration.metadata } : {}),
  };
  // One savepoint per migration: the previous one is released (kept work) and a new one set in one round
  // trip; after a failure the previous one was rolled back to, which keeps it, so releasing it is still valid.
  await client.query(first ? 'SAVEPOINT ddlgate_dry_run' : 'RELEASE SAVEPOINT ddlgate_dry_run; SAVEPOINT ddlgate_dry_run');
  try {
    for (const statement of migration.up.statements.slice(resumeFrom)) {
      const entry: DryRunStatement = { line: statement.line, sql: statement.sql, durationMs: 0, locks: [], rewrites: [] };
      result.statements.push(entry);
      const reason = nonTransactionalReason(statement);
      if (reason && UNRUNNABLE.has(reason)) {
        entry.note = `${reason} cannot run inside a transaction: checked by the parser only, not executed`;
        continue;
      }
      const sql = reason ? withoutConcurrently(statement.sql) : statement.sql;
      if (reason) entry.note = `validated as its transactional equivalent (without CONCURRENTLY); the real run uses ${reason} outside a transaction`;
      await observer?.before(client, statement);
      const probe = observer?.probeSql?.();
      const t0 = performance.now();
      let probeRows: Array<Record<string, unknown>> | undefined;
      try {
        // Joined on new lines: the statement may end in a -- comment. The probe runs only if it succeeded.
        const results = await client.query(probe ? `${sql}\n;\n${probe}` : sql);
        if (probe) probeRows = (Array.isArray(results) ? results[results.length - 1] : results).rows;
      } catch (error) {
        entry.durationMs = performance.now() - t0;
        throw new StatementFailure(migration.up.path, statement, error);
      }
      entry.durationMs = performance.now() - t0;
      await observer?.after(client, statement, entry, probeRows);
    }
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT ddlgate_dry_run').catch(() => {});
    const last = result.statements[result.statements.length - 1];
    if (error instanceof StatementFailure && error.sqlState === UNSAFE_NEW_ENUM_VALUE) {
      // An enum value added by an earlier pending migration cannot be used in the same transaction; the
      // real run commits that migration first, so this is a limit of the shared dry-run, not an error.
      if (last) last.note = `not validated: uses an enum value added by an earlier pending migration, which PostgreSQL allows only after that migration commits (the real run does); the rest of this migration was not run in the dry-run`;
    } else {
      result.ok = false;
      result.error = error instanceof StatementFailure ? error.message : describePgError(error);
      if (last) last.error = result.error;
    }
  }
  if (resumeFrom) result.statements.unshift({ line: migration.up.statements[0]!.line, sql: `-- statements 1-${resumeFrom} already applied by an interrupted run`, durationMs: 0, locks: [], rewrites: [], note: 'resumed' });
  result.durationMs = performance.now() - started;
  return result;
}
