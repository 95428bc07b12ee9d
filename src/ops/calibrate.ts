/**
 * Calibration: measures the throughput figures of the impact model (src/impact/estimate.ts) on the
 * server at hand. A scratch schema holds a table of `rows` rows and an empty twin; the three blocking
 * operations — a validating scan (SET NOT NULL), a table rewrite (ALTER COLUMN TYPE) and a plain B-tree
 * build — run on both, each committed as a migration's would be. The empty twin gives the fixed cost
 * of a statement (catalog work, commit); the full table gives the per-byte and per-row rates.
 *
 * Only for a throwaway database (the PR check's service container): it writes some tens of MB, then
 * drops its schema (a crash leaves only a `ddlgate_calibration_*` schema on a database about to vanish).
 */
import { closeQuietly, connect, quoteIdent, type Client } from '../db/connection.js';
import type { Throughput } from '../impact/estimate.js';

export const CALIBRATION_ROWS = 200_000;
const MAX_CALIBRATION_ROWS = 1_500_000;
/** Heap bytes per row of the scratch table (measured: ~112 on PostgreSQL 15 and 18). */
const BYTES_PER_ROW = 112;

/**
 * Enough rows for the scratch table to exceed a quarter of shared_buffers: PostgreSQL then scans it
 * through a small ring of buffers, reading every page from the OS as it reads a large production
 * table, instead of from shared buffers where the freshly written table would otherwise sit.
 */
export function calibrationRows(sharedBuffersBytes: number): number {
  const ring = Math.ceil((sharedBuffersBytes / 4 / BYTES_PER_ROW) * 1.25);
  return Math.min(MAX_CALIBRATION_ROWS, Math.max(CALIBRATION_ROWS, ring));
}

export interface CalibrationResult extends Throughput {
  /** Seconds each operation took on the scratch table (fixed: the first statement on its empty twin), for the report and the bench. */
  measured: { rewrite: number; scan: number; indexBuild: number; fixed: number; heapBytes: number };
}

async function timed(client: Client, sql: string): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query(sql);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// The validated column comes last, after variable-width ones, as a column added by a recent migration does:
// the scan's cost is mostly reading each row up to that column.
const SHAPE = '(id bigint NOT NULL, account int, label text, created_at timestamptz, memo text)';

/** Runs the calibration over an open connection that is not inside a transaction. */
export async function calibrateOn(client: Client, requestedRows?: number, measure?: Client): Promise<CalibrationResult> {
  const sharedBuffers = Number((await client.query(`SELECT setting::bigint * current_setting('block_size')::bigint AS b FROM pg_settings WHERE name = 'shared_buffers'`)).rows[0].b);
  const rows = requestedRows ?? calibrationRows(sharedBuffers);
  const schema = quoteIdent(`ddlgate_calibration_${process.pid}_${Date.now().toString(36)}`);
  // Its own session settings: production's are unknown, PostgreSQL's defaults are assumed.
  await client.query("SET maintenance_work_mem = '64MB'; SET statement_timeout = '120s'; SET lock_timeout = '5s'; SET client_min_messages = warning");
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    // The empty twin has a primary key: a rewrite's fixed cost includes creating new files for each index.
    await client.query(`CREATE TABLE ${schema}.t ${SHAPE}; CREATE TABLE ${schema}.e ${SHAPE}; ALTER TABLE ${schema}.e ADD PRIMARY KEY (id)`);
    await client.query(
      `INSERT INTO ${schema}.t SELECT g, ((g::bigint * 7919) % 100003)::int, md5(g::text) || ' calibration', timestamptz '2026-01-01' + g * interval '1 second', 'memo ' || g FROM generate_series(1, $1::int) AS g`,
      [rows],
    );
    // Settled as a production table is: vacuumed, analyzed, read once.
    await client.query(`VACUUM ANALYZE ${schema}.t`);
    await client.query(`SELECT count(*) FROM ${schema}.t WHERE memo IS NULL`);
    const heapBytes = Number((await client.query(`SELECT pg_relation_size('${schema}.t') AS b`)).rows[0].b);
    // Measured over a fresh session, as a migration's DDL runs: the first ALTER TABLE of a session loads
    // catalog caches that later statements find warm. Fixed cost of an operation = that session cost + the
    // operation on the empty twin; the rates are net of the operation's warm cost.
    const m = measure ?? client;
    const cold = await timed(m, `ALTER TABLE ${schema}.e ALTER COLUMN memo SET NOT NULL`);
    await m.query(`ALTER TABLE ${schema}.e ALTER COLUMN memo DROP NOT NULL`);
    const warmScan = await timed(m, `ALTER TABLE ${schema}.e ALTER COLUMN memo SET NOT NULL`);
    const warmRewrite = await timed(m, `ALTER TABLE ${schema}.e ALTER COLUMN account TYPE bigint`);
    const warmIndex = await timed(m, `CREATE INDEX ON ${schema}.e (account)`);
    const session = Math.max(0, cold - warmScan);
    const scan = await timed(m, `ALTER TABLE ${schema}.t ALTER COLUMN memo SET NOT NULL`);
    const indexBuild = await timed(m, `CREATE INDEX ON ${schema}.t (account)`);
    await m.query(`DROP INDEX ${schema}.t_account_idx`);
    const rewrite = await timed(m, `ALTER TABLE ${schema}.t ALTER COLUMN account TYPE bigint`);
    const fixedSeconds = session + warmScan;
    const net = (seconds: number, warm: number) => Math.max(seconds - warm, 1e-4);
    return {
      scanBytesPerSecond: heapBytes / net(scan, warmScan),
      // The scratch table has no index when it is rewritten: its heap alone (indexes are modelled per index).
      rewriteBytesPerSecond: heapBytes / net(rewrite, warmRewrite),
      indexRowsPerSecond: rows / net(indexBuild, warmIndex),
      calibrationRows: rows,
      fixedSeconds,
      rewriteFixedSeconds: session + warmRewrite,
      indexFixedSeconds: session + warmIndex,
      source: `figures calibrated on this check's database (${rows.toLocaleString('en-US')} rows scanned in ${scan.toFixed(2)} s, rewritten in ${rewrite.toFixed(2)} s, indexed in ${indexBuild.toFixed(2)} s)`,
      measured: { rewrite, scan, indexBuild, fixed: fixedSeconds, heapBytes },
    };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await client.query('RESET ALL').catch(() => {});
  }
}

/** Calibrates over two sessions: one prepares the scratch tables, a fresh one measures. */

export async function calibrate(databaseUrl: string, rows?: number): Promise<CalibrationResult> {
  const client = await connect(databaseUrl);
  let measure: Client | undefined;
  try {
    measure = await connect(databaseUrl);
    await measure.query("SET statement_timeout = '120s'; SET lock_timeout = '5s'; SET maintenance_work_mem = '64MB'");
    return await calibrateOn(client, rows, measure);
  } finally {
    await closeQuietly(measure);
    await closeQuietly(client);
  }
}
