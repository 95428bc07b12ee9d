import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

describe('drift (real PostgreSQL)', () => {
  it('fingerprints only the last migration of a run, or its last success when the run fails, and drift stays exact', async () => {
    const url = await db.createDatabase('driftlast');
    const dir = tempDir({
      '1_a.up.sql': 'CREATE TABLE a (id int);',
      '2_b.up.sql': 'CREATE TABLE b (id int);',
      '3_c.up.sql': 'CREATE TABLE c (id int);',
      '4_bad.up.sql': 'CREATE TABLE d (id int);\nSELECT 1/0;',
    });
    try {
      expect((await cli(url, dir, 'up', '--to', '2')).code).toBe(0);
      const firstRun = await db.query(url, 'SELECT version, schema_fingerprint IS NOT NULL AS has FROM ddlgate.schema_migrations ORDER BY version');
      expect(firstRun).toEqual([
        { version: '1', has: false },
        { version: '2', has: true },
      ]);
      expect((await cli(url, dir, 'up')).code).toBe(1);
      const afterFailure = await db.query(url, 'SELECT version, schema_fingerprint IS NOT NULL AS has FROM ddlgate.schema_migrations ORDER BY version');
      expect(afterFailure).toEqual([
        { version: '1', has: false },
        { version: '2', has: true },
        { version: '3', has: true },
      ]);
      const status = await cli(url, dir, 'status', '--drift', '--format', 'json');
      expect(JSON.parse(status.stdout).drift).toMatchObject({ state: 'none', recordedBy: { version: '3' } });
    } finally {
      removeDir(dir);
    }
  });

  it('records the fingerprint, reports a column added by hand by name, and blocks up with --fail-on-drift', async () => {
    const url = await db.createDatabase('drift');
    const dir = tempDir({
      '1_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);\n',
      '2_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n',
    });
    try {
      expect((await cli(url, dir, 'up', '--to', '1')).code).toBe(0);
      const recorded = await db.query(url, 'SELECT schema_fingerprint FROM ddlgate.schema_migrations');
      expect(recorded[0].schema_fingerprint).toMatch(/^[0-9a-f]{64}$/);

      const clean = await cli(url, dir, 'status', '--drift', '--format', 'json');
      expect(clean.code).toBe(0);
      expect(JSON.parse(clean.stdout).drift).toMatchObject({ state: 'none', recordedBy: { version: '1', name: 'users' } });

      await db.query(url, 'ALTER TABLE users ADD COLUMN nickname text; DROP INDEX users_email_idx;');
      const drifted = await cli(url, dir, 'status', '--drift', '--format', 'json');
      expect(drifted.code).toBe(1);
      const { drift } = JSON.parse(drifted.stdout);
      expect(drift.state).toBe('drift');
      expect(drift.differences).toEqual([
        { object: 'column public.users.nickname', attribute: 'exists', before: 'no', after: 'yes' },
        { object: 'index public.users_email_idx', attribute: 'exists', before: 'yes', after: 'no' },
      ]);

      const blocked = await cli(url, dir, 'up', '--fail-on-drift');
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/schema drift detected, nothing was applied .*column public\.users\.nickname/);
      expect(await db.query(url, `SELECT to_regclass('orders') IS NULL AS absent`)).toEqual([{ absent: true }]);

      const warned = await cli(url, dir, 'up');
      expect(warned.code).toBe(0);
      expect(warned.stderr).toMatch(/drift: DRIFT/);
      expect(warned.stderr).toContain('drift: column public.users.nickname: not created by any migration');
      expect(warned.stderr).toContain('drift: index public.users_email_idx: missing from the database');
      expect(warned.stdout).toContain('Applied 1 migration(s)');
    } finally {
      removeDir(dir);
    }
  });
});
