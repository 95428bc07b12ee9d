// 4. Zero-downtime under load: a 1,000,000-row table served by a node read/write loop while a long
// transaction holds ACCESS SHARE on it and a migration needs ACCESS EXCLUSIVE. (a) naive `psql -f` with no
// lock_timeout queues every query behind its waiting ALTER until the long transaction ends; (b) `ddlgate up
// --lock-timeout 200ms` gives up the queue after 200 ms, backs off and retries until the table is free.
// Goal: ddlgate's worst stall ≤ lock_timeout + 10 %, naive's ≈ the long transaction, ddlgate completes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { percentile, runTimed } from './lib/measure.mjs';
import { NODE, DDLGATE_BIN, ROOT } from './lib/paths.mjs';
import { createDatabase, psqlEnv, query } from './lib/pg.mjs';

const ROWS = 1_000_000;
const WORKERS = 4;
/** Each worker sends one query every 10 ms: 400 queries/s in all, light enough for a 2-core machine. */
const INTERVAL_MS = 10;
const LOCK_TIMEOUT_MS = 200;
const LONG_TX_MS = 5000;
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
      this.samples.push({ at: due - this.origin, ms: ended - start, write });
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
  // Enough retries to outlast the long transaction: backoff 0.5 s, 1 s, 2 s, 4 s … (±25 %) after 200 ms tries.
  const safe = await scenario(
    'ddlgate up',
    url,
    () => runTimed(NODE, [DDLGATE_BIN, 'up', '--dir', path.join(dir, 'ddlgate'), '--database-url', url, '--lock-timeout', `${LOCK_TIMEOUT_MS}ms`, '--lock-retries', '10'], { cwd: ROOT, memory: false }),
    log,
  );
  const columns = await query(url, `SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname IN ('naive_flag', 'safe_flag') AND NOT attisdropped`);
  const names = columns.rows.map((r) => r.attname);
  const retries = (safe.stderr.match(/lock not available/g) ?? []).length;
  if (naive.exitCode !== 0) notes.push(`naive psql exited with ${naive.exitCode}: ${naive.stderr.trim()}`);
  if (safe.exitCode !== 0) notes.push(`ddlgate up exited with ${safe.exitCode}: ${safe.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  const safeCompleted = safe.exitCode === 0 && names.includes('safe_flag') && safe.migrationEndedAt >= safe.longTxReleasedAt;
  const bound = Math.round(LOCK_TIMEOUT_MS * 1.1);
  const remaining = LONG_TX_MS - MIGRATION_DELAY_MS;
  const rows = [
    {
      benchmark: 'Zero-downtime: worst app-query stall, 1M-row table under load',
      subject: `ddlgate up --lock-timeout ${LOCK_TIMEOUT_MS}ms --lock-retries 10`,
      baseline: `lock_timeout + 10 % (${bound} ms)`,
      subjectMs: safe.worst,
      baselineMs: bound,
      ratio: safe.worst / bound,
      goal: `≤ ${bound} ms`,
      met: safe.worst <= bound,
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
  ];
  return { rows, notes, naive, safe, retries, lockTimeoutMs: LOCK_TIMEOUT_MS, longTxMs: LONG_TX_MS, workers: WORKERS, intervalMs: INTERVAL_MS, rowsInTable: ROWS };
}
