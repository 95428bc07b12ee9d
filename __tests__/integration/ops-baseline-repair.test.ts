import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });
const states = async (url: string, dir: string) => JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout).migrations.map((m: any) => `${m.version}:${m.state}`);

describe('baseline and repair', () => {
  it('baseline marks an existing schema as applied without running it, audited', async () => {
    const url = await db.createDatabase('baseline');
    // The database predates ddlgate: its tables were made by hand.
    await db.query(url, 'CREATE TABLE a (id int); CREATE TABLE b (id int)');
    const dir = tempDir({
      '1_a.up.sql': 'CREATE TABLE a (id int);',
      '2_b.up.sql': 'CREATE TABLE b (id int);',
      '3_c.up.sql': 'CREATE TABLE c (id int);',
    });
    try {
      const unknown = await cli(url, dir, 'baseline', '--to', '9');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/--to 9: no migration with that version/);
      const result = await cli(url, dir, 'baseline', '--to', '2', '--environment', 'production');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Baselined 2 migration\(s\) up to 2/);
      expect(await states(url, dir)).toEqual(['1:applied', '2:applied', '3:pending']);
      const history = await db.query(url, `SELECT version, action, status, environment, details FROM ddlgate.migration_history ORDER BY id`);
      expect(history.map((h) => [h.version, h.action, h.status, h.environment])).toEqual([
        ['1', 'baseline', 'success', 'production'],
        ['2', 'baseline', 'success', 'production'],
      ]);
      expect(history[0].details).toEqual({ baselineTo: '2', executed: false });
      expect((await cli(url, dir, 'baseline', '--to', '2')).stdout).toMatch(/Nothing to baseline/);
      const up = await cli(url, dir, 'up');
      expect(up.code).toBe(0);
      expect(up.stdout).toContain('Applied 1 migration(s)');
      // The SQL-side status objects see the same picture.
      expect(await db.query(url, 'SELECT applied_count::int, failed_count::int, last_applied_version FROM ddlgate.migration_status_view')).toEqual([
        { applied_count: 3, failed_count: 0, last_applied_version: '3' },
      ]);
      expect((await db.query(url, 'SELECT version, status FROM ddlgate.get_migration_status()')).map((r) => `${r.version}:${r.status}`)).toEqual(['1:applied', '2:applied', '3:applied']);
    } finally {
      removeDir(dir);
    }
  });

  it('repair shows its plan, changes nothing without --yes, then clears failures and re-records checksums with history rows', async () => {
    const url = await db.createDatabase('repair');
    const dir = tempDir({
      '1_a.up.sql': 'CREATE TABLE a (id int);',
      '2_b.up.sql': 'SELECT 1/0;',
    });
    try {
      expect((await cli(url, dir, 'up')).code).toBe(1);
      writeFileSync(path.join(dir, '1_a.up.sql'), '-- a comment added after the fact\nCREATE TABLE a (id int);');
      expect(await states(url, dir)).toEqual(['1:modified', '2:failed']);

      const preview = await cli(url, dir, 'repair');
      expect(preview.code).toBe(1);
      expect(preview.stdout).toMatch(/^layout: \S+ \(\d+ migrations?\)\nWould repair:\n  1_a: record the edited file's checksum .*\n  2_b: clear the failed attempt \(.*division by zero\)\nNothing changed: run again with --yes/);
      expect(await states(url, dir)).toEqual(['1:modified', '2:failed']);
      expect(await db.query(url, `SELECT 1 FROM ddlgate.migration_history WHERE action = 'repair'`)).toHaveLength(0);

      const repaired = await cli(url, dir, 'repair', '--yes');
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toMatch(/^layout: \S+ \(\d+ migrations?\)\nRepaired:/);
      expect(await states(url, dir)).toEqual(['1:applied', '2:pending']);
      const rows = await db.query(url, `SELECT version, details->>'change' AS change FROM ddlgate.migration_history WHERE action = 'repair' ORDER BY version`);
      expect(rows).toEqual([
        { version: '1', change: 'checksum' },
        { version: '2', change: 'clear-failed' },
      ]);
      expect((await cli(url, dir, 'repair')).stdout).toMatch(/^layout: \S+ \(\d+ migrations?\)\nNothing to repair\.\n$/);

      // A statement-by-statement migration stopped half-way keeps a failed tracking row: repair deletes it.
      writeFileSync(path.join(dir, '2_b.up.sql'), '-- ddlgate:no-transaction\nCREATE TABLE b (id int);\nSELECT 1/0;');
      expect((await cli(url, dir, 'up')).code).toBe(1);
      expect(await db.query(url, `SELECT status, statements_done FROM ddlgate.schema_migrations WHERE version = '2'`)).toEqual([{ status: 'failed', statements_done: 1 }]);
      const partial = await cli(url, dir, 'repair', '--yes');
      expect(partial.stdout).toMatch(/2_b: clear the failed attempt .*; 1 statement\(s\) had run and will run again on the next up/);
      expect(await db.query(url, `SELECT 1 FROM ddlgate.schema_migrations WHERE version = '2'`)).toHaveLength(0);
      expect(await states(url, dir)).toEqual(['1:applied', '2:pending']);
    } finally {
      removeDir(dir);
    }
  });
});
