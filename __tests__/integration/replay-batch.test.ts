// replay-base applies consecutive transactional migrations in one transaction (src/db/apply.ts
// applyReplayBatch). The result must be what one-by-one application gives: the same tables and tracking
// rows; a migration with session state runs on its own; a failure rolls the batch back and the migrations
// are applied one by one, so the failing statement is named and the ones before it stay applied.
import path from 'node:path';
import { MigrationFailed, runUp } from '../../src/db/up.js';
import { loadParser } from '../../src/sql/parser.js';
import { removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const LONG = 120_000;

async function run(files: Record<string, string>, url: string): Promise<{ logs: string[]; error?: unknown }> {
  const cwd = tempDir(files);
  const logs: string[] = [];
  try {
    await loadParser();
    await runUp({ databaseUrl: url, dir: path.join(cwd, 'migrations'), schema: 'ddlgate', lockTimeoutMs: 5000, statementTimeoutMs: 60000, lockWaitMs: 5000, lockRetries: 0, log: (m) => logs.push(m), replayBatches: true });
    return { logs };
  } catch (error) {
    return { logs, error };
  } finally {
    removeDir(cwd);
  }
}

const tracked = (url: string) => db.query(url, 'SELECT version, status FROM ddlgate.schema_migrations ORDER BY version');
const history = (url: string) => db.query(url, `SELECT version, status FROM ddlgate.migration_history ORDER BY id`);

describe('replay-base batches', () => {
  it('applies a run of transactional migrations in one transaction, with every tracking row', async () => {
    const url = await db.createDatabase('replay_ok');
    const { logs, error } = await run(
      {
        'migrations/001_a.up.sql': 'CREATE TABLE a (id int PRIMARY KEY, note text);\n',
        'migrations/002_fill.up.sql': "INSERT INTO a VALUES (1, 'x'); -- a trailing comment\n",
        'migrations/003_idx.up.sql': '-- ddlgate:no-transaction\nCREATE INDEX CONCURRENTLY a_note_idx ON a (note);\n',
        'migrations/004_b.up.sql': 'CREATE TABLE b (id int);\nALTER TABLE b ADD COLUMN n int;\n',
        'migrations/005_c.up.sql': 'CREATE TABLE c (id int);\n',
        'migrations/006_role.up.sql': "SET search_path = public;\nCREATE TABLE d (id int);\n",
        'migrations/007_e.up.sql': 'CREATE TABLE e (id int);\n',
      },
      url,
    );
    expect(error).toBeUndefined();
    expect(logs.filter((line) => line.includes('in one transaction'))).toEqual([
      expect.stringContaining('applied 2 migrations in one transaction (replay-base): 001_a … 002_fill'),
      expect.stringContaining('applied 2 migrations in one transaction (replay-base): 004_b … 005_c'),
    ]);
    // The SET migration and the one after it (a run of one) went one by one.
    expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(/^applied 006_role/), expect.stringMatching(/^applied 007_e/), expect.stringMatching(/^applied 003_idx/)]));
    expect(await tracked(url)).toEqual(['001', '002', '003', '004', '005', '006', '007'].map((version) => ({ version, status: 'applied' })));
    expect((await history(url)).map((row) => row.status)).toEqual(Array(7).fill('success'));
    expect(await db.query(url, 'SELECT count(*)::int AS n FROM a')).toEqual([{ n: 1 }]);
    expect(await db.query(url, `SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('a', 'a_note_idx', 'b', 'c', 'd', 'e')`)).toEqual([{ n: 6 }]);
  }, LONG);

  it('a failing migration rolls its batch back; one by one, the ones before it stay applied and it is named', async () => {
    const url = await db.createDatabase('replay_fail');
    const { logs, error } = await run(
      {
        'migrations/001_a.up.sql': 'CREATE TABLE a (id int);\n',
        'migrations/002_b.up.sql': 'CREATE TABLE b (id int);\n',
        'migrations/003_bad.up.sql': 'CREATE TABLE c (id int);\nALTER TABLE missing ADD COLUMN x int;\n',
        'migrations/004_d.up.sql': 'CREATE TABLE d (id int);\n',
      },
      url,
    );
    expect(error).toBeInstanceOf(MigrationFailed);
    expect((error as MigrationFailed).message).toMatch(/003_bad failed: .*003_bad\.up\.sql:2: relation "missing" does not exist/);
    expect(logs).toEqual(expect.arrayContaining([expect.stringContaining('the batch of 4 migrations from 001_a failed and was rolled back; applying them one by one')]));
    expect(await tracked(url)).toEqual([
      { version: '001', status: 'applied' },
      { version: '002', status: 'applied' },
    ]);
    expect((await history(url)).map((row) => `${row.version} ${row.status}`)).toEqual(['001 success', '002 success', '003 failed']);
    expect(await db.query(url, `SELECT relname FROM pg_class WHERE relname IN ('a', 'b', 'c', 'd') ORDER BY relname`)).toEqual([{ relname: 'a' }, { relname: 'b' }]);
  }, LONG);
});
