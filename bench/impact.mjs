#!/usr/bin/env node
// Impact model accuracy: on a real PostgreSQL, tables of 10k, 100k and 1M rows; for a rewrite (ALTER COLUMN
// TYPE), a validating scan (SET NOT NULL without a CHECK) and a plain index build, compare the estimate
// ddlgate makes (calibrated on a 200k-row scratch table of the same server, scaled to the table's size as the
// snapshot reads it) with the measured duration. Goal: every ratio measured/estimate within 0.5–2×.
// Usage: node bench/impact.mjs [--runs N] [--sizes 10000,100000,1000000]   (also: npm run bench -- --only impact)
// Not part of `npm test`: nothing here is a timed unit test.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEphemeralPostgres } from '../lib/db/ephemeral.js';
import { pointEstimate, estimateRange } from '../lib/impact/estimate.js';
import { calibrate } from '../lib/ops/calibrate.js';
import { takeSnapshot } from '../lib/ops/snapshot.js';

async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function timed(client, sql) {
  const start = process.hrtime.bigint();
  await client.query(sql);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// An application table, deliberately not the calibration's shape (which is id, account, label, created_at).
async function createOrders(url, table, rows) {
  await query(url, `DROP TABLE IF EXISTS ${table}`);
  await query(url, `CREATE TABLE ${table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
      amount numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL, note text)`);
  await query(url, `INSERT INTO ${table} (customer_id, status, amount, created_at, note)
      SELECT ((g::bigint * 48271) % 250007)::int, (ARRAY['new', 'paid', 'shipped', 'returned'])[1 + g % 4], (g % 100000) / 100.0,
             timestamptz '2025-01-01' + g * interval '17 seconds', 'order note ' || md5(g::text)
        FROM generate_series(1, $1::int) AS g`, [rows]);
  // Settled as a production table is (and as the calibration's scratch table is): vacuumed, analyzed, read once.
  await query(url, `VACUUM ANALYZE ${table}`);
  await query(url, `SELECT count(*) FROM ${table} WHERE note IS NULL`);
}

function combine(calibrations) {
  // The median of the rounds' calibrations: the check itself calibrates once, right before its dry-run.
  return {
    scanBytesPerSecond: median(calibrations.map((c) => c.scanBytesPerSecond)),
    rewriteBytesPerSecond: median(calibrations.map((c) => c.rewriteBytesPerSecond)),
    indexRowsPerSecond: median(calibrations.map((c) => c.indexRowsPerSecond)),
    calibrationRows: calibrations[0].calibrationRows,
    fixedSeconds: median(calibrations.map((c) => c.fixedSeconds)),
    rewriteFixedSeconds: median(calibrations.map((c) => c.rewriteFixedSeconds)),
    indexFixedSeconds: median(calibrations.map((c) => c.indexFixedSeconds)),
    source: 'bench calibration',
  };
}

export async function run({ server, runs = 3, sizes = [10_000, 100_000, 1_000_000], log = () => {} }) {
  const url = server.url;
  const allCalibrations = [];
  const rows = [];
  for (const size of sizes) {
    const table = `orders_${size}`;
    const measured = { scan: [], 'index build': [], rewrite: [] };
    const calibrations = [];
    let stats;
    for (let round = 0; round < runs; round++) {
      log(`impact: ${size.toLocaleString('en-US')} rows, round ${round + 1}/${runs}`);
      await createOrders(url, table, size);
      const snapshot = await takeSnapshot(url, { schema: 'ddlgate' });
      stats = snapshot.tables[`public.${table}`];
      // Calibrated right before the measurement, as the check calibrates right before its dry-run: the machine's
      // load (other jobs on a shared runner) is then the same for both.
      calibrations.push(await calibrate(url));
      // One session per round, as a migration runner has: connected, its own queries done, then the statements.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('CHECKPOINT');
        await client.query('SELECT count(*) FROM pg_class');
        measured.scan.push(await timed(client, `ALTER TABLE ${table} ALTER COLUMN note SET NOT NULL`));
        measured['index build'].push(await timed(client, `CREATE INDEX ${table}_customer_idx ON ${table} (customer_id)`));
        await client.query(`DROP INDEX ${table}_customer_idx`);
        await client.query('CHECKPOINT');
        measured.rewrite.push(await timed(client, `ALTER TABLE ${table} ALTER COLUMN customer_id TYPE bigint`));
      } finally {
        await client.end();
      }
    }
    const throughput = combine(calibrations);
    allCalibrations.push(...calibrations.map((c) => c.measured));
    log(`impact: calibration scan ${(throughput.scanBytesPerSecond / 2 ** 20).toFixed(0)} MB/s, rewrite ${(throughput.rewriteBytesPerSecond / 2 ** 20).toFixed(0)} MB/s, index ${Math.round(throughput.indexRowsPerSecond).toLocaleString('en-US')} rows/s, fixed ${(throughput.fixedSeconds * 1000).toFixed(1)} ms`);
    const tableSize = { rows: stats.rows, heapBytes: stats.heapBytes, toastBytes: stats.toastBytes, indexCount: stats.indexes.length };
    for (const operation of ['rewrite', 'scan', 'index build']) {
      const estimate = pointEstimate(operation, tableSize, throughput);
      const range = estimateRange(operation, tableSize, throughput, 5);
      const m = median(measured[operation]);
      rows.push({ size, operation, heapBytes: stats.heapBytes, estimate, range, measured: m, ratio: m / estimate, within: m / estimate >= 0.5 && m / estimate <= 2, inRange: m >= range[0] && m <= range[1] });
    }
    await query(url, `DROP TABLE ${table}`);
  }
  return { calibrations: allCalibrations, rows };
}

export function render(result) {
  const lines = [
    '| Table rows | Heap | Operation | Estimate (s) | Range shown (s) | Measured (s, median) | Measured / estimate | Within 2× |',
    '|---:|---:|---|---:|---|---:|---:|---|',
  ];
  for (const r of result.rows) {
    lines.push(`| ${r.size.toLocaleString('en-US')} | ${(r.heapBytes / 2 ** 20).toFixed(1)} MB | ${r.operation} | ${r.estimate.toFixed(3)} | ${r.range[0]}–${r.range[1]} | ${r.measured.toFixed(3)} | ${r.ratio.toFixed(2)} | ${r.within ? 'yes' : 'NO'} |`);
  }
  return lines.join('\n');
}

/** Rows for bench/results.md (`npm run bench -- --only impact`): one per table size and operation. */
export function toRows(result) {
  return result.rows.map((r) => ({
    benchmark: `Impact estimate: ${r.operation}, ${r.size.toLocaleString('en-US')}-row table`,
    subject: 'measured duration',
    baseline: 'ddlgate estimate',
    subjectMs: r.measured * 1000,
    baselineMs: r.estimate * 1000,
    ratio: r.ratio,
    goal: '0.5–2×',
    met: r.within,
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, sizes: { type: 'string' } } });
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : undefined;
  const log = (m) => process.stderr.write(`${m}\n`);
  const loadStart = os.loadavg()[0].toFixed(2);
  log('impact: starting a throwaway PostgreSQL (embedded 18)');
  const server = await startEphemeralPostgres({ source: 'embedded' });
  try {
    const result = await run({ server, runs: Math.max(1, Number(values.runs)), ...(sizes ? { sizes } : {}), log });
    const misses = result.rows.filter((r) => !r.within);
    const verdict = misses.length ? `${misses.length} of ${result.rows.length} estimate(s) outside 2× of the measured duration.` : `Every estimate (${result.rows.length}) within 2× of the measured duration.`;
    const text = [
      '# Impact model accuracy',
      '',
      `Written by \`npm run bench:impact\` (bench/impact.mjs ${process.argv.slice(2).join(' ')}) on ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC.`,
      `Machine: ${os.cpus().length} cores, load average ${loadStart} at start / ${os.loadavg()[0].toFixed(2)} at end (other jobs share it).`,
      'Each row: the estimate ddlgate makes from a calibration on the same server (right before), scaled to the table\'s size as `ddlgate snapshot` reads it, against the measured duration in a fresh session (median of the rounds). Goal: measured / estimate within 0.5–2×.',
      '',
      render(result),
      '',
      verdict,
      '',
    ].join('\n');
    writeFileSync(new URL('./impact-results.md', import.meta.url), text);
    process.stdout.write(text);
    process.exitCode = misses.length ? 1 : 0;
  } finally {
    await server.stop();
  }
}
