/**
 * sql-migrate keys migrations by file name, so several files may share one number (goalert's history has four
 * of 20241108160105). On a real server: `status` shows the tool's version for each of them with ddlgate's own
 * key as `id`, `up --to <number>` applies every file of that number, `down --to <number>` keeps them all, and a
 * key names one file.
 */
import { query, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const section = (table: string) => `-- +migrate Up\nCREATE TABLE ${table} (id int);\n\n-- +migrate Down\nDROP TABLE ${table};\n`;
const FILES = {
  'migrations/0004-base.sql': section('base'),
  'migrations/0005-import-b.sql': section('b'),
  'migrations/0005-import-a.sql': section('a'),
  'migrations/0005-import-c.sql': section('c'),
  'migrations/0006-after.sql': section('after'),
};

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ relname: string }>(url, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname");
  return rows.map((row) => row.relname);
}

describe('files sharing a sql-migrate number', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir(FILES);
  });
  afterAll(() => removeDir(cwd));

  it('status shows the tool\'s version and ddlgate\'s key; --to takes either, up and down', async () => {
    const url = await db.createDatabase('shared_version');
    const cli = (...args: string[]) => runCli([...args, '--dir', 'migrations'], { cwd, env: { DATABASE_URL: url, DDLGATE_ENV: undefined } });

    const upTo = await cli('up', '--to', '5');
    expect(upTo.code).toBe(0);
    expect(await tables(url)).toEqual(['a', 'b', 'base', 'c']);

    const status = await cli('status', '--format', 'json');
    expect(status.code).toBe(0);
    const listed = JSON.parse(status.stdout).migrations.map((m: { version: string; id?: string; name: string; state: string }) => [m.version, m.id, m.name, m.state]);
    expect(listed).toEqual([
      ['0004', undefined, 'base', 'applied'],
      ['0005', '0005', 'import-a', 'applied'],
      ['0005', '0005.1', 'import-b', 'applied'],
      ['0005', '0005.2', 'import-c', 'applied'],
      ['0006', undefined, 'after', 'pending'],
    ]);
    const text = await cli('status');
    expect(text.stdout).not.toMatch(/0005\.1/);

    expect((await cli('up')).code).toBe(0);
    const downToShared = await cli('down', '--to', '5');
    expect(downToShared.code).toBe(0);
    expect(await tables(url)).toEqual(['a', 'b', 'base', 'c']);

    const downToKey = await cli('down', '--to', '0005.1');
    expect(downToKey.code).toBe(0);
    expect(await tables(url)).toEqual(['a', 'b', 'base']);
  }, 120_000);
});
