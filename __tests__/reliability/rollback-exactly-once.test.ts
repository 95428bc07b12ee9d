import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { noRunnerLeft, runCut } from '../helpers/cli-process.js';

// Exactly once for rollbacks: the down file of a statement-by-statement migration (DROP INDEX
// CONCURRENTLY, then data statements) is cut at each statement boundary through a real TCP proxy — the
// answer lost after the server ran it (connection reset), or the runner SIGKILLed at that moment. One
// plain rerun of the same `down` must reach the state an undisturbed rollback reaches, with no row
// restored twice.
const db = useTestDatabase();

const FILES = {
  '1_items.up.sql': `CREATE TABLE items (id int, k int);
INSERT INTO items SELECT g, g % 7 FROM generate_series(1, 700) g;`,
  '1_items.down.sql': 'DROP TABLE items;',
  '2_archive.up.sql': `-- ddlgate:no-transaction
CREATE TABLE archive AS SELECT id, k FROM items WHERE k = 0;
DELETE FROM items WHERE k = 0;
CREATE INDEX CONCURRENTLY items_k_idx ON items (k);`,
  '2_archive.down.sql': `DROP INDEX CONCURRENTLY items_k_idx;
INSERT INTO items SELECT id, k FROM archive;
DROP TABLE archive;`,
};

const STATE_SQL = `SELECT (SELECT count(*)::int FROM items) AS items_rows,
  (SELECT count(*)::int FROM (SELECT id FROM items GROUP BY id HAVING count(*) > 1) d) AS duplicated_ids,
  (SELECT count(*)::int FROM pg_class WHERE relname IN ('archive', 'items_k_idx')) AS leftovers,
  (SELECT count(*)::int FROM pg_index WHERE NOT indisvalid) AS invalid_indexes,
  (SELECT string_agg(version || ':' || status || ':' || statements_done || ':' || coalesce(rollback_done::text, '-'), ', ' ORDER BY version) FROM ddlgate.schema_migrations) AS tracking,
  (SELECT count(*)::int FROM ddlgate.migration_history WHERE version = '2' AND action = 'rollback' AND status = 'success') AS rollbacks_recorded`;

const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

// Where to cut the rollback of migration 2 (the n-th query of the disturbed run matching `match`).
const CUTS: { name: string; match: RegExp; nth?: number }[] = [
  { name: 'DROP INDEX CONCURRENTLY finished, progress not written', match: /^DROP INDEX CONCURRENTLY/ },
  { name: 'DROP INDEX CONCURRENTLY progress written', match: /rollback_done = 1,/ },
  { name: 'INSERT … SELECT sent, not committed', match: /INSERT INTO items SELECT/ },
  { name: 'INSERT … SELECT committed with its progress row', match: /^COMMIT$/, nth: 1 },
  { name: 'DROP TABLE committed with its progress row', match: /^COMMIT$/, nth: 2 },
  { name: 'tracking row removed, history written', match: /DELETE FROM "ddlgate"\.schema_migrations/ },
];

describe('exactly once: a statement-by-statement rollback cut at each statement boundary', () => {
  let proxy: TcpProxy;
  let expected: Record<string, unknown>;
  let dir: string;
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: db.server.host, port: db.server.port });
    dir = tempDir(FILES);
    const url = await db.createDatabase('undisturbed');
    expect((await cli(url, dir, 'up')).code).toBe(0);
    const run = await cli(url, dir, 'down', '--to', '1');
    expect(run.code).toBe(0);
    expected = (await db.query(url, STATE_SQL))[0];
    expect(expected).toEqual({ items_rows: 700, duplicated_ids: 0, leftovers: 0, invalid_indexes: 0, tracking: '1:applied:2:-', rollbacks_recorded: 1 });
  });
  afterAll(async () => {
    await proxy.close();
    removeDir(dir);
  });

  for (const how of ['reset', 'SIGKILL'] as const) {
    for (const cut of CUTS) {
      it(`${how} after: ${cut.name} — one rerun of down reaches the undisturbed state`, async () => {
        const url = await db.createDatabase('cut');
        expect((await cli(url, dir, 'up')).code).toBe(0);
        await runCut(proxy, cut, how, url, dir, 'down', '--to', '1');
        await noRunnerLeft(url);
        const rerun = await cli(url, dir, 'down', '--to', '1');
        expect({ code: rerun.code, stderr: rerun.code === 0 ? '' : rerun.stderr }).toEqual({ code: 0, stderr: '' });
        expect((await db.query(url, STATE_SQL))[0]).toEqual(expected);
        // And the migration applies again from there, as after an undisturbed rollback.
        expect((await cli(url, dir, 'up')).code).toBe(0);
        expect((await db.query(url, `SELECT count(*)::int AS n FROM items`))[0].n).toBe(600);
      }, 90_000);
    }
  }

  it('while a rollback is part-way, up and status say so in one line and change nothing', async () => {
    const url = await db.createDatabase('halfway');
    expect((await cli(url, dir, 'up')).code).toBe(0);
    await runCut(proxy, { match: /^COMMIT$/ }, 'reset', url, dir, 'down', '--to', '1');
    await noRunnerLeft(url);
    const up = await cli(url, dir, 'up');
    expect(up.code).toBe(1);
    expect(up.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ddlgate: the rollback of 2_archive stopped part-way \(2 down statement\(s\) done\): finish it with ddlgate down --steps 1, then run up; nothing was applied$/)]);
    const status = await cli(url, dir, 'status');
    expect(status.stdout).toMatch(/rollback stopped after 2 down statement\(s\)/);
    expect((await db.query(url, `SELECT count(*)::int AS n FROM items`))[0].n).toBe(700);
    const finish = await cli(url, dir, 'down', '--steps', '1');
    expect(finish.code).toBe(0);
    expect(finish.stderr).toMatch(/resuming the rollback after statement 2 of 3/);
    expect((await db.query(url, STATE_SQL))[0]).toEqual(expected);
  }, 90_000);
});
