import type { Client } from './connection.js';
import { quoteIdent } from './connection.js';
import { labelTableDdl } from './identity.js';

export interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
  status: 'applied' | 'failed' | 'running';
  applied_at: Date | null;
  applied_by: string | null;
  execution_time_ms: number | null;
  error_message: string | null;
  batch: number | null;
  schema_fingerprint: string | null;
  statements_done: number;
  /** Set while a statement-by-statement rollback is part-way: how many down statements are done (absent before the column existed). */
  rollback_done?: number | null;
  /** Checksum of the down script that rollback_done counts in. */
  rollback_checksum?: string | null;
}

export type HistoryAction = 'apply' | 'rollback' | 'dry-run' | 'baseline' | 'repair' | 'backup' | 'restore' | 'seed' | 'adopt';

export interface HistoryEntry {
  version: string | null;
  action: HistoryAction;
  /** 'transaction': measured by the server, from the transaction's start to the insert. */
  executionTimeMs: number | 'transaction';
  status: 'success' | 'failed' | 'skipped';
  errorMessage?: string | null;
  executedBy: string;
  environment: string | null;
  details?: Record<string, unknown>;
}

/** Milliseconds since the transaction began (now() is its start), for rows written just before COMMIT. */
export const TRANSACTION_ELAPSED_MS = 'round(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer';

/** Creates the tracking schema idempotently; call it while holding the migration lock. */
export function trackingDdl(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'failed', 'running')),
  applied_at timestamptz,
  applied_by text,
  execution_time_ms integer,
  error_message text,
  batch integer,
  schema_fingerprint text,
  statements_done integer NOT NULL DEFAULT 0
);
ALTER TABLE ${s}.schema_migrations ADD COLUMN IF NOT EXISTS rollback_done integer, ADD COLUMN IF NOT EXISTS rollback_checksum text;
CREATE TABLE IF NOT EXISTS ${s}.migration_history (
  id bigserial PRIMARY KEY,
  version text,
  action text NOT NULL CHECK (action IN ('apply', 'rollback', 'dry-run', 'baseline', 'repair', 'backup', 'restore', 'seed', 'adopt')),
  executed_at timestamptz NOT NULL DEFAULT now(),
  execution_time_ms integer,
  status text NOT NULL CHECK (status IN ('success', 'failed', 'skipped')),
  error_message text,
  executed_by text,
  environment text,
  details jsonb
);
CREATE INDEX IF NOT EXISTS migration_history_version_idx ON ${s}.migration_history (version, id);
CREATE TABLE IF NOT EXISTS ${s}.seed_history (
  name text PRIMARY KEY,
  checksum text NOT NULL,
  executed_at timestamptz NOT NULL DEFAULT now(),
  executed_by text,
  execution_time_ms integer
);
CREATE TABLE IF NOT EXISTS ${s}.index_build_history (
  id bigserial PRIMARY KEY,
  version text,
  index_name text NOT NULL,
  attempt integer NOT NULL,
  status text NOT NULL CHECK (status IN ('success', 'failed')),
  error_message text,
  duration_ms integer,
  executed_at timestamptz NOT NULL DEFAULT now()
);
${labelTableDdl(schema)};
CREATE OR REPLACE VIEW ${s}.migration_status_view AS
SELECT
  count(*) FILTER (WHERE status = 'applied') AS applied_count,
  count(*) FILTER (WHERE status = 'failed') AS failed_count,
  count(*) FILTER (WHERE status = 'running') AS running_count,
  (SELECT version FROM ${s}.schema_migrations WHERE status = 'applied' ORDER BY applied_at DESC NULLS LAST, version DESC LIMIT 1) AS last_applied_version,
  max(applied_at) FILTER (WHERE status = 'applied') AS last_applied_at,
  (SELECT version FROM ${s}.migration_history WHERE status = 'failed' ORDER BY id DESC LIMIT 1) AS last_failed_version,
  (SELECT executed_at FROM ${s}.migration_history WHERE status = 'failed' ORDER BY id DESC LIMIT 1) AS last_failed_at
FROM ${s}.schema_migrations;
CREATE OR REPLACE FUNCTION ${s}.get_migration_status()
RETURNS TABLE (version text, name text, status text, applied_at timestamptz, batch integer, checksum text)
LANGUAGE sql STABLE AS $fn$
  SELECT version, name, status, applied_at, batch, checksum FROM ${s}.schema_migrations ORDER BY version
$fn$;`;
}

export async function ensureTrackingTables(client: Client, schema: string): Promise<void> {
  const exists = await client.query(
    // rollback_done came later: tables from before it get the column (the DDL is idempotent).
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'rollback_done' AND NOT attisdropped) AS ok`,
    [`${quoteIdent(schema)}.schema_migrations`, `${quoteIdent(schema)}.migration_history`, `${quoteIdent(schema)}.index_build_history`],
  );
  if (exists.rows[0]?.ok) return;
  await client.query(trackingDdl(schema));
}

export async function trackingTablesExist(client: Client, schema: string): Promise<boolean> {
  const result = await client.query(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`, [
    `${quoteIdent(schema)}.schema_migrations`,
    `${quoteIdent(schema)}.migration_history`,
  ]);
  return Boolean(result.rows[0]?.ok);
}

export async function readAppliedRows(client: Client, schema: string): Promise<AppliedRow[]> {
  if (!(await trackingTablesExist(client, schema))) return [];
  const result = await client.query(`SELECT * FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`);
  return result.rows as AppliedRow[];
}

/** Versions whose latest apply attempt failed without leaving a tracking row (a rolled-back transactional migration). */
export async function readLastFailures(client: Client, schema: string): Promise<Map<string, { error: string | null; at: Date }>> {
  if (!(await trackingTablesExist(client, schema))) return new Map();
  const result = await client.query(
    `SELECT DISTINCT ON (version) version, status, error_message, executed_at
       FROM ${quoteIdent(schema)}.migration_history
      WHERE action IN ('apply', 'rollback', 'baseline', 'repair') AND version IS NOT NULL
      ORDER BY version, id DESC`,
  );
  const failures = new Map<string, { error: string | null; at: Date }>();
  for (const row of result.rows) if (row.status === 'failed') failures.set(row.version, { error: row.error_message, at: row.executed_at });
  return failures;
}

export function historyInsertSql(client: Client, schema: string, entry: HistoryEntry): string {
  const lit = (value: string | null | undefined) => (value === null || value === undefined ? 'NULL' : client.escapeLiteral(value));
  return `INSERT INTO ${quoteIdent(schema)}.migration_history (version, action, execution_time_ms, status, error_message, executed_by, environment, details)
VALUES (${lit(entry.version)}, ${lit(entry.action)}, ${entry.executionTimeMs === 'transaction' ? TRANSACTION_ELAPSED_MS : Math.round(entry.executionTimeMs)}, ${lit(entry.status)}, ${lit(entry.errorMessage)}, ${lit(entry.executedBy)}, ${lit(entry.environment)}, ${entry.details ? `${lit(JSON.stringify(entry.details))}::jsonb` : 'NULL'})`;
}

export async function insertHistory(client: Client, schema: string, entry: HistoryEntry): Promise<void> {
  await client.query(historyInsertSql(client, schema, entry));
}

export async function nextBatch(client: Client, schema: string): Promise<number> {
  const result = await client.query(`SELECT coalesce(max(batch), 0) + 1 AS batch FROM ${quoteIdent(schema)}.schema_migrations`);
  return Number(result.rows[0].batch);
}
