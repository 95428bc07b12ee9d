import pg from 'pg';
import { migrationLockKey } from '../../src/db/advisory-lock.js';
import { removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { oneLine, startCli, waitFor } from '../helpers/cli-process.js';

// A silently dead network (packets dropped, nothing closed) between ddlgate and the server, through a
// real TCP proxy on 127.0.0.1. Documented bounds (docs/reliability.md): the run ends with exit 1 and one
// line within CLIENT_BOUND; the server ends ddlgate's session — its transaction, table locks and the
// migration lock — within SERVER_BOUND of the last byte it received.
const CLIENT_BOUND_MS = 30_000;
const SERVER_BOUND_MS = 30_000;
const db = useTestDatabase();

const runnerBackend = (url: string, pattern: string) =>
  waitFor(async () => (await db.query(url, `SELECT pid FROM pg_stat_activity WHERE application_name = 'ddlgate' AND query ILIKE $1`, [pattern]))[0]?.pid as number | undefined, `the runner running ${pattern}`, 60_000);

const migrationLockHeld = async (url: string, pid?: number) => {
  const key = BigInt.asUintN(64, migrationLockKey('ddlgate'));
  const rows = await db.query(url, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::bigint::oid AND objid = $2::bigint::oid`, [String(key >> 32n), String(key & 0xffffffffn)]);
  return pid === undefined ? rows.length > 0 : rows.some((r) => r.pid === pid);
};

describe('blackholed network: bounded, exit 1, locks released by the server', () => {
  let proxy: TcpProxy;
  beforeEach(async () => {
    proxy = await startTcpProxy({ host: db.server.host, port: db.server.port });
  });
  afterEach(async () => {
    await proxy.close();
  });

  it('at connect: exit 1 within the connect timeout, naming the server', async () => {
    const url = await db.createDatabase('bh_connect');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
    try {
      proxy.blackhole();
      const result = await startCli(proxy.url(url), dir, 'up').done;
      expect(result.code).toBe(1);
      expect(oneLine(result)).toMatch(/cannot connect to 127\.0\.0\.1:\d+\/bh_connect_\w+: timed out/);
      expect(result.ms).toBeLessThan(CLIENT_BOUND_MS);
    } finally {
      removeDir(dir);
    }
  }, 90_000);

  it('while waiting for the migration lock: exit 1 within the bound; its session is gone on the server', async () => {
    const url = await db.createDatabase('bh_lockwait');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey('ddlgate').toString()]);
      const run = startCli(proxy.url(url), dir, 'up', '--lock-wait', '10min');
      const pid = await runnerBackend(url, '%pg_try_advisory_lock%');
      proxy.blackhole();
      const cut = Date.now();
      const result = await run.done;
      expect(result.code).toBe(1);
      expect(oneLine(result)).toMatch(/connection .*lost/);
      expect(Date.now() - cut).toBeLessThan(CLIENT_BOUND_MS);
      await waitFor(async () => (await db.query(url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 0, 'the server to end the silent session', SERVER_BOUND_MS);
    } finally {
      await holder.end();
      removeDir(dir);
    }
  }, 120_000);

  it('during a statement: exit 1 within the bound; the migration lock is released within the bound', async () => {
    const url = await db.createDatabase('bh_statement');
    const dir = tempDir({ '1_slow.up.sql': '-- ddlgate:no-transaction\nCREATE TABLE s (id int);\nSELECT pg_sleep(3);\nCREATE TABLE s2 (id int);' });
    try {
      const run = startCli(proxy.url(url), dir, 'up');
      const pid = await runnerBackend(url, '%pg_sleep%');
      expect(await migrationLockHeld(url, pid)).toBe(true);
      proxy.blackhole();
      const cut = Date.now();
      const result = await run.done;
      expect(result.code).toBe(1);
      expect(oneLine(result)).toMatch(/1_slow\.up\.sql:3: connection lost: /);
      expect(Date.now() - cut).toBeLessThan(CLIENT_BOUND_MS);
      await waitFor(async () => !(await migrationLockHeld(url)), 'the migration lock to be released', SERVER_BOUND_MS);
      // Exactly once: the sleep's step never committed (its COMMIT never arrived), the first one did. The
      // failure could not be recorded (the only way to the server is dead): the row still says running.
      expect(await db.query(url, `SELECT status, statements_done FROM ddlgate.schema_migrations`)).toEqual([{ status: 'running', statements_done: 1 }]);
      const rerun = await startCli(url, dir, 'up').done;
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(/resuming after statement 1 of 3/);
      expect(await db.query(url, `SELECT status, statements_done FROM ddlgate.schema_migrations`)).toEqual([{ status: 'applied', statements_done: 3 }]);
    } finally {
      removeDir(dir);
    }
  }, 120_000);

  it('inside a transaction holding ACCESS EXCLUSIVE: exit 1 within the bound; readers of the table get through within the bound', async () => {
    const url = await db.createDatabase('bh_txlock');
    const dir = tempDir({ '1_hot.up.sql': 'CREATE TABLE hot (id int);\nINSERT INTO hot VALUES (1);', '2_alter.up.sql': 'ALTER TABLE hot ADD COLUMN note text;\nSELECT pg_sleep(3);' });
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    try {
      const first = await startCli(url, dir, 'up', '--to', '1').done;
      expect(first.code).toBe(0);
      const run = startCli(proxy.url(url), dir, 'up');
      await runnerBackend(url, '%pg_sleep%');
      proxy.blackhole();
      const cut = Date.now();
      const read = reader.query('SELECT count(*)::int AS n FROM hot').then(() => Date.now() - cut);
      const result = await run.done;
      expect(result.code).toBe(1);
      expect(oneLine(result)).toMatch(/connection lost/);
      expect(Date.now() - cut).toBeLessThan(CLIENT_BOUND_MS);
      expect(await read).toBeLessThan(SERVER_BOUND_MS);
      expect(await db.query(url, `SELECT 1 FROM information_schema.columns WHERE table_name = 'hot' AND column_name = 'note'`)).toEqual([]);
      await waitFor(async () => !(await migrationLockHeld(url)), 'the migration lock to be released', SERVER_BOUND_MS);
    } finally {
      await reader.end();
      removeDir(dir);
    }
  }, 120_000);
});
