/**
 * `ddlgate snapshot`: reads a database's statistics — sizes, planner row estimates, columns, indexes,
 * constraints, write-activity counters — and its schema fingerprint into a Snapshot. Only catalog and
 * statistics views are read: no user table is ever selected from, and pg_stats (which holds sampled
 * values) is never touched, so no row value can end up in the file.
 */
import { fingerprintOf, snapshotCatalog } from '../db/catalog.js';
import { closeQuietly, connect, type Client } from '../db/connection.js';
import { objectHashes } from '../impact/drift.js';
import { canonicalSnapshot, redactSnapshot, SNAPSHOT_FORMAT, type Snapshot, type SnapshotTable } from '../impact/snapshot.js';

export interface SnapshotOptions {
  /** Tracking schema: left out of the snapshot and of the fingerprint (ddlgate's own bookkeeping). */
  schema: string;
  redact?: boolean;
  /** HMAC key for redaction (DDLGATE_REDACT_KEY); plain SHA-256 without one. */
  redactKey?: string;
  /** The time to record (tests); default now. */
  now?: Date;
}

const USER_TABLES = `
  n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' AND n.nspname <> $1
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

/**
 * One row per table: sizes from the storage functions, the planner's estimate, activity counters.
 * A partitioned table's own storage is empty: its sizes and rows are the sum over its leaf partitions.
 */
const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       CASE WHEN c.relkind = 'p' THEN (SELECT sum(GREATEST(p.reltuples, 0)) FROM pg_partition_tree(c.oid) t JOIN pg_class p ON p.oid = t.relid WHERE t.isleaf)
            WHEN c.reltuples >= 0 THEN c.reltuples END AS reltuples,
       s.n_live_tup AS live_rows,
       CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
            ELSE pg_relation_size(c.oid) END AS heap_bytes,
       CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_indexes_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
            ELSE pg_indexes_size(c.oid) END AS index_bytes,
       CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_table_size(t.relid) - pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
            ELSE pg_table_size(c.oid) - pg_relation_size(c.oid) END AS toast_bytes,
       s.seq_scan, s.idx_scan, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_dead_tup,
       s.last_autovacuum, s.last_autoanalyze
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_TABLES}`;

const COLUMNS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm') AND ${USER_TABLES}
 ORDER BY a.attnum`;

const INDEXES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, ic.relname AS index, pg_relation_size(ic.oid) AS bytes, i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_TABLES}`;

const CONSTRAINTS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, con.conname AS constraint, con.contype::text AS type, con.convalidated AS validated
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND ${USER_TABLES}`;

/** Reads the snapshot over an open connection (read-only queries; safe on a busy production server). */
export async function readSnapshot(client: Client, options: SnapshotOptions): Promise<Snapshot> {
  const version = (await client.query(`SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
      (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset`)).rows[0];
  const tables: Record<string, SnapshotTable> = {};
  const key = (row: { schema: string; name: string }) => `${row.schema}.${row.name}`;
  for (const row of (await client.query(TABLES_SQL, [options.schema])).rows) {
    const rows = row.reltuples !== null ? Math.round(Number(row.reltuples)) : row.live_rows !== null ? Number(row.live_rows) : null;
    tables[key(row)] = {
      kind: row.kind === 'p' ? 'partitioned table' : row.kind === 'm' ? 'materialized view' : 'table',
      rows,
      heapBytes: Number(row.heap_bytes),
      indexBytes: Number(row.index_bytes),
      toastBytes: Math.max(0, Number(row.toast_bytes)),
      columns: [],
      indexes: [],
      constraints: [],
      activity:
        row.seq_scan === null && row.n_tup_ins === null
          ? null
          : {
              seqScans: Number(row.seq_scan ?? 0),
              indexScans: Number(row.idx_scan ?? 0),
              inserts: Number(row.n_tup_ins ?? 0),
              updates: Number(row.n_tup_upd ?? 0),
              deletes: Number(row.n_tup_del ?? 0),
              liveRows: Number(row.live_rows ?? 0),
              deadRows: Number(row.n_dead_tup ?? 0),
              lastAutovacuum: isoOrNull(row.last_autovacuum),
              lastAutoanalyze: isoOrNull(row.last_autoanalyze),
            },
    };
  }
  for (const row of (await client.query(COLUMNS_SQL, [options.schema])).rows) tables[key(row)]?.columns.push({ name: row.column, type: row.type, notNull: row.not_null });
  for (const row of (await client.query(INDEXES_SQL, [options.schema])).rows) {
    tables[key(row)]?.indexes.push({ name: row.index, bytes: Number(row.bytes), unique: row.unique, primary: row.primary, valid: row.valid });
  }
  for (const row of (await client.query(CONSTRAINTS_SQL, [options.schema])).rows) tables[key(row)]?.constraints.push({ name: row.constraint, type: row.type, validated: row.validated });

  const catalog = await snapshotCatalog(client, options.schema);
  const objects = objectHashes(catalog);
  const snapshot = canonicalSnapshot({
    format: SNAPSHOT_FORMAT,
    takenAt: (options.now ?? new Date()).toISOString(),
    server: { version: String(version.version), major: Math.floor(Number(version.num) / 10000) },
    statsReset: isoOrNull(version.stats_reset),
    redacted: false,
    schema: { fingerprint: fingerprintOf(catalog), objects },
    tables,
  });
  return options.redact ? redactSnapshot(snapshot, options.redactKey) : snapshot;
}

export async function takeSnapshot(databaseUrl: string, options: SnapshotOptions): Promise<Snapshot> {
  const client = await connect(databaseUrl);
  try {
    // A snapshot only reads; a read-only transaction makes that a guarantee on the production server.
    await client.query('BEGIN TRANSACTION READ ONLY');
    const snapshot = await readSnapshot(client, options);
    await client.query('COMMIT');
    return snapshot;
  } finally {
    await closeQuietly(client);
  }
}

function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
