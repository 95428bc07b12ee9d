import pg from 'pg';
import { removeDir, runCli, tempDir, useTestDatabase, type CliResult } from '../helpers/pg.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { noRunnerLeft, startCli, waitFor } from '../helpers/cli-process.js';

// A resumed statement runs in the session it had: SET search_path / SET ROLE / set_config made by earlier
// statements are re-established, or the resume is refused with the reason. Tracking writes are made as
// the login role. Concurrent index builds wait on their own clock and say what they wait for.
const db = useTestDatabase();

const up = (url: string, dir: string, ...args: string[]) => runCli(['up', '--dir', dir, ...args], { env: { DATABASE_URL: url, POSTGRES_URL: undefined }, timeoutMs: 120_000 });


/** Runs `up` through the proxy and loses the server's answer to the query matching `match` (after it completed). */
async function cutAfter(proxy: TcpProxy, url: string, dir: string, match: RegExp): Promise<CliResult> {
  const trap = proxy.loseReplyTo(match);
  const run = startCli(proxy.url(url), dir, 'up');
  await Promise.race([trap.held, run.done.then((r) => Promise.reject(new Error(`run ended before the cut: ${r.stderr}`)))]);
  const result = await run.done;
  await noRunnerLeft(url);
  return result;
}

const indexes = (url: string) =>
  db.query(url, `SELECT n.nspname || '.' || c.relname AS index, t.relname AS on_table, tn.nspname AS table_schema, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE tn.nspname IN ('app', 'public') ORDER BY 1`);

describe('resume re-establishes the session', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: db.server.host, port: db.server.port });
  });
  afterAll(async () => {
    await proxy.close();
  });

  for (const [which, match] of [
    ['first', /CREATE INDEX CONCURRENTLY other_x_idx/],
    ['second', /CREATE INDEX CONCURRENTLY other_y_idx/],
  ] as const) {
    it(`SET search_path before concurrent builds, cut after the ${which} build: the resume builds in app, never public; no INVALID index`, async () => {
      const url = await db.createDatabase('searchpath');
      const dir = tempDir({
        '1_schemas.up.sql': 'CREATE SCHEMA app;\nCREATE TABLE app.other (x int, y int);\nCREATE TABLE public.other (x int, y int);',
        '2_indexes.up.sql': '-- ddlgate:no-transaction\nSET search_path TO app, public;\nCREATE INDEX CONCURRENTLY other_x_idx ON other (x);\nCREATE INDEX CONCURRENTLY other_y_idx ON other (y);',
      });
      try {
        expect((await up(url, dir, '--to', '1')).code).toBe(0);
        const cut = await cutAfter(proxy, url, dir, match);
        expect(cut.code).toBe(1);
        const rerun = await up(url, dir);
        expect(rerun.code).toBe(0);
        expect(rerun.stderr).toMatch(/session re-established for the resume \(line 2\)/);
        expect(rerun.stderr).toMatch(/exists and is valid: the interrupted run built it; not run again/);
        expect(await indexes(url)).toEqual([
          { index: 'app.other_x_idx', on_table: 'other', table_schema: 'app', valid: true },
          { index: 'app.other_y_idx', on_table: 'other', table_schema: 'app', valid: true },
        ]);
      } finally {
        removeDir(dir);
      }
    }, 180_000);
  }

  it('SET ROLE in a no-transaction migration: applies (tracking written as the login role), and a resume runs as that role again', async () => {
    const url = await db.createDatabase('setrole');
    const role = `owner_${url.split('/').pop()}`;
    const dir = tempDir({
      '1_role.up.sql': `CREATE ROLE ${role} NOLOGIN;\nCREATE SCHEMA appx AUTHORIZATION ${role};`,
      '2_as_owner.up.sql': `-- ddlgate:no-transaction\nSET ROLE ${role};\nCREATE TABLE appx.t (id int);\nCREATE INDEX CONCURRENTLY t_id_idx ON appx.t (id);\nCREATE TABLE appx.t2 (id int);`,
    });
    try {
      expect((await up(url, dir, '--to', '1')).code).toBe(0);
      const cut = await cutAfter(proxy, url, dir, /CREATE INDEX CONCURRENTLY t_id_idx/);
      expect(cut.code).toBe(1);
      const rerun = await up(url, dir);
      expect(rerun.stderr).not.toMatch(/permission denied/);
      expect(rerun.code).toBe(0);
      expect(await db.query(url, `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c WHERE c.relnamespace = 'appx'::regnamespace ORDER BY 1`)).toEqual([
        { relname: 't', owner: role },
        { relname: 't2', owner: role },
        { relname: 't_id_idx', owner: role },
      ]);
      expect(await db.query(url, `SELECT version, status, statements_done FROM ddlgate.schema_migrations ORDER BY version`)).toEqual([
        { version: '1', status: 'applied', statements_done: 2 },
        { version: '2', status: 'applied', statements_done: 4 },
      ]);
    } finally {
      removeDir(dir);
    }
  }, 180_000);

  it('a temporary table made before the cut: the resume is refused with one line saying why; nothing runs', async () => {
    const url = await db.createDatabase('temp');
    const dir = tempDir({
      '1_t.up.sql': 'CREATE TABLE t (x int);',
      '2_temp.up.sql': '-- ddlgate:no-transaction\nCREATE TEMP TABLE scratch AS SELECT 1 AS x;\nCREATE INDEX CONCURRENTLY t_x_idx ON t (x);\nINSERT INTO t SELECT x FROM scratch;',
    });
    try {
      expect((await up(url, dir, '--to', '1')).code).toBe(0);
      expect((await cutAfter(proxy, url, dir, /CREATE INDEX CONCURRENTLY t_x_idx/)).code).toBe(1);
      const rerun = await up(url, dir);
      expect(rerun.code).toBe(1);
      const lines = rerun.stderr.split('\n').filter((l) => l.startsWith('ddlgate:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/2_temp\.up\.sql: cannot resume after statement 1: .*2_temp\.up\.sql:2 created a temporary object, which ended with the interrupted session/);
      expect(await db.query(url, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
    } finally {
      removeDir(dir);
    }
  }, 180_000);
});

describe('concurrent index builds on their own clock', () => {
  it('a build waiting behind an open transaction is not cancelled by lock retries, names that transaction, then completes', async () => {
    const url = await db.createDatabase('cicwait');
    const dir = tempDir({ '1_t.up.sql': 'CREATE TABLE orders (id int);', '2_idx.up.sql': 'CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);' });
    const writer = new pg.Client({ connectionString: url, application_name: 'nightly-report' });
    await writer.connect();
    try {
      expect((await up(url, dir, '--to', '1')).code).toBe(0);
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO orders VALUES (1)`);
      const writerPid = (writer as unknown as { processID: number }).processID;
      const run = startCli(url, dir, 'up', '--lock-timeout', '100ms', '--lock-retries', '1');
      await waitFor(() => /index build waiting/.test(run.stderr()), 'the waiting report', 90_000);
      // Keep it waiting well past every lock timeout and retry the policy allows.
      await new Promise((r) => setTimeout(r, 3000));
      expect(run.child.exitCode).toBeNull();
      await writer.query('COMMIT');
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`2_idx\\.up\\.sql:1: index build waiting \\d+ s for pid ${writerPid} \\(nightly-report, idle in transaction, transaction open \\d+ s: INSERT INTO orders VALUES \\(1\\)\\)`));
      expect(result.stderr).not.toMatch(/lock not available/);
      expect(await db.query(url, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_id_idx'::regclass`)).toEqual([{ indisvalid: true }]);
    } finally {
      await writer.end();
      removeDir(dir);
    }
  }, 180_000);
});
