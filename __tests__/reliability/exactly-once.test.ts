import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { noRunnerLeft, runCut, startCli } from '../helpers/cli-process.js';

// Exactly once under faults: a statement-by-statement migration is cut at each statement boundary —
// the server's answer lost after it committed (connection reset), or the runner SIGKILLed at that
// moment — through a real TCP proxy; one plain rerun must reach the state an undisturbed run reaches.
const db = useTestDatabase();

const FILES = {
  '1_tables.up.sql': `CREATE TABLE source (id int, k int);
INSERT INTO source SELECT g, g % 7 FROM generate_series(1, 700) g;
CREATE TABLE target (id int, k int);`,
  '2_fill.up.sql': `-- ddlgate:no-transaction
INSERT INTO target SELECT id, k FROM source;
CREATE TABLE summary AS SELECT k, count(*) AS n FROM target GROUP BY k;
CREATE UNIQUE INDEX CONCURRENTLY target_id_key ON target (id);
ALTER TABLE target ADD CONSTRAINT target_id_key UNIQUE USING INDEX target_id_key;`,
  '3_later.up.sql': 'CREATE TABLE later (id int);',
};

const STATE_SQL = `SELECT (SELECT count(*)::int FROM target) AS target_rows,
  (SELECT count(*)::int FROM summary) AS summary_rows, (SELECT sum(n)::int FROM summary) AS summary_sum,
  (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'target'::regclass) AS constraints,
  (SELECT string_agg(c.relname || ' valid=' || i.indisvalid, ', ' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'target'::regclass) AS indexes,
  (SELECT count(*)::int FROM pg_index WHERE NOT indisvalid) AS invalid_indexes,
  (SELECT count(*)::int FROM pg_class WHERE relname = 'later') AS later,
  (SELECT string_agg(version || ':' || status || ':' || statements_done, ', ' ORDER BY version) FROM ddlgate.schema_migrations) AS tracking`;

const up = (url: string, dir: string, ...args: string[]) => runCli(['up', '--dir', dir, ...args], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

// Where to cut: the n-th query matching `match` of the disturbed run (migration 1 was applied before).
const CUTS: { name: string; match: RegExp; nth?: number }[] = [
  { name: 'INSERT … SELECT sent, not committed', match: /INSERT INTO target SELECT/ },
  { name: 'INSERT … SELECT committed with its progress row', match: /^COMMIT$/, nth: 1 },
  { name: 'CREATE TABLE AS committed', match: /^COMMIT$/, nth: 2 },
  { name: 'CREATE UNIQUE INDEX CONCURRENTLY finished, progress not written', match: /^CREATE UNIQUE INDEX CONCURRENTLY/ },
  { name: 'CREATE UNIQUE INDEX CONCURRENTLY progress written', match: /statements_done.*\n?.*COMMIT$|COMMIT$/s, nth: 3 },
  { name: 'ADD CONSTRAINT … USING INDEX committed', match: /^COMMIT$/, nth: 3 },
];

describe('exactly once: statement-by-statement migration cut at each statement boundary', () => {
  let proxy: TcpProxy;
  let expected: Record<string, unknown>;
  let dir: string;
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: db.server.host, port: db.server.port });
    dir = tempDir(FILES);
    const url = await db.createDatabase('undisturbed');
    const run = await up(url, dir);
    expect(run.code).toBe(0);
    expected = (await db.query(url, STATE_SQL))[0];
    expect(expected).toMatchObject({ target_rows: 700, summary_rows: 7, summary_sum: 700, invalid_indexes: 0, later: 1, tracking: '1:applied:3, 2:applied:4, 3:applied:1' });
  });
  afterAll(async () => {
    await proxy.close();
    removeDir(dir);
  });

  for (const how of ['reset', 'SIGKILL'] as const) {
    for (const cut of CUTS) {
      it(`${how} after: ${cut.name} — one rerun reaches the undisturbed state`, async () => {
        const url = await db.createDatabase('cut');
        expect((await up(url, dir, '--to', '1')).code).toBe(0);
        const disturbed = await runCut(proxy, cut, how, url, dir, 'up');
        if (how === 'reset') {
          // A lost answer to COMMIT is said as such, never blamed on a deferred constraint.
          if (String(cut.match) === String(/^COMMIT$/)) expect(disturbed.line).toMatch(/while waiting for COMMIT's answer; it may or may not have committed/);
          expect(disturbed.line).not.toMatch(/deferred constraint/);
        }
        await noRunnerLeft(url);
        const rerun = await up(url, dir);
        expect({ code: rerun.code, stderr: rerun.code === 0 ? '' : rerun.stderr }).toEqual({ code: 0, stderr: '' });
        expect((await db.query(url, STATE_SQL))[0]).toEqual(expected);
        // The rerun ran each statement at most once more than the cut allowed: INSERT … SELECT is never doubled.
        expect((await db.query(url, `SELECT count(*)::int AS n FROM (SELECT id FROM target GROUP BY id HAVING count(*) > 1) d`))[0].n).toBe(0);
      }, 90_000);
    }
  }
});

describe('a file with its own BEGIN … COMMIT blocks (run as written since the layouts change)', () => {
  it('each block commits with its progress row; a reset after the first block’s COMMIT does not run it again', async () => {
    const proxy = await startTcpProxy({ host: db.server.host, port: db.server.port });
    const url = await db.createDatabase('blocks');
    const dir = tempDir({
      '1_t.up.sql': 'CREATE TABLE counter (n int);\nINSERT INTO counter VALUES (0);',
      '2_blocks.up.sql': 'BEGIN;\nUPDATE counter SET n = n + 1;\nUPDATE counter SET n = n + 10;\nCOMMIT;\nBEGIN;\nUPDATE counter SET n = n + 100;\nCOMMIT;',
    });
    try {
      expect((await up(url, dir, '--to', '1')).code).toBe(0);
      const trap = proxy.loseReplyTo(/^COMMIT$/);
      const run = startCli(proxy.url(url), dir, 'up');
      await trap.held;
      expect((await run.done).code).toBe(1);
      await noRunnerLeft(url);
      const rerun = await up(url, dir);
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(/resuming after statement 4 of 7/);
      expect(await db.query(url, 'SELECT n FROM counter')).toEqual([{ n: 111 }]);
    } finally {
      await proxy.close();
      removeDir(dir);
    }
  }, 90_000);
});
