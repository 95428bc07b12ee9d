import { removeDir, runCli, tempDir, testMajor, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const verify = (dir: string, ...args: string[]) => runCli(['verify', '--dir', dir, ...args], { env: { DATABASE_URL: undefined, POSTGRES_URL: undefined } });

const GOOD = {
  '1_users.up.sql': 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\nCREATE TYPE mood AS ENUM (\'ok\', \'sad\');\n',
  '1_users.down.sql': 'DROP TABLE users;\nDROP TYPE mood;\n',
};

describe('ddlgate verify (real PostgreSQL)', () => {
  it('passes a clean round trip on a throwaway server and reports a missing down file', async () => {
    const dir = tempDir({ ...GOOD, '2_view.up.sql': 'CREATE VIEW user_emails AS SELECT email FROM users;\n' });
    try {
      const result = await verify(dir, '--ephemeral-server', testMajor() === 15 ? '15' : 'embedded', '--format', 'json');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.server).toBe(`throwaway PostgreSQL ${testMajor()}`);
      expect(report.migrations.map((m: any) => [m.version, m.up, m.down, m.reup, m.ok])).toEqual([
        ['1', 'ok', 'ok', 'ok', true],
        ['2', 'ok', 'missing', 'skipped', true],
      ]);
    } finally {
      removeDir(dir);
    }
  });

  it('fails with a readable diff when a down forgets to drop an index, and when a down cannot run; --require-down', async () => {
    const url = await db.createDatabase('verify');
    const dir = tempDir({
      ...GOOD,
      '2_index.up.sql': 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN name text DEFAULT \'x\';\n',
      '2_index.down.sql': 'ALTER TABLE users DROP COLUMN name;\n',
      '3_nodown.up.sql': 'CREATE TABLE notes (id int);\n',
    });
    const broken = tempDir({ ...GOOD, '2_broken.up.sql': 'CREATE TABLE audit (id int);\n', '2_broken.down.sql': 'DROP TABLE audit_log;\n' });
    try {
      const text = await verify(dir, '--database-url', url);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/FAIL 2_index \(up ok, down ok, up again failed\)/);
      expect(text.stdout).toContain('after down: index public.users_email_idx: missing before, present after');
      expect(text.stdout).toMatch(/up after down: .*users_email_idx.* already exists/);
      expect(text.stdout).toMatch(/not verified: 3_nodown/);
      expect(text.stderr).toBe('');

      const failing = await verify(broken, '--database-url', await db.createDatabase('verify_broken'));
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(/FAIL 2_broken \(up ok, down failed, up again skipped\)/);
      expect(failing.stdout).toMatch(/2_broken\.down\.sql:1: table "audit_log" does not exist/);

      const url2 = await db.createDatabase('verify2');
      const strict = await verify(tempDir({ ...GOOD, '2_nodown.up.sql': 'CREATE TABLE t (id int);\n' }), '--database-url', url2, '--require-down', '--format', 'json');
      expect(strict.code).toBe(1);
      const report = JSON.parse(strict.stdout);
      expect(report.migrations[1]).toMatchObject({ version: '2', ok: false, down: 'missing' });
      expect(report.migrations[1].error).toMatch(/--require-down/);
    } finally {
      removeDir(dir);
      removeDir(broken);
    }
  });

  it('on a throwaway server keeps verifying after a broken down, from a fresh replay', async () => {
    const dir = tempDir({
      ...GOOD,
      '2_index.up.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
      '2_index.down.sql': 'SELECT 1;\n',
      '3_more.up.sql': 'ALTER TABLE users ADD COLUMN age int CHECK (age > 0);\n',
      '3_more.down.sql': 'ALTER TABLE users DROP COLUMN age;\n',
    });
    try {
      const result = await verify(dir, '--ephemeral-server', testMajor() === 15 ? '15' : 'embedded', '--format', 'json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      const second = report.migrations[1];
      expect(second.afterDown).toEqual([{ object: 'index public.users_email_idx', attribute: 'exists', before: 'no', after: 'yes' }]);
      expect(report.migrations[2]).toMatchObject({ version: '3', ok: true, up: 'ok', down: 'ok', reup: 'ok' });
      expect(report.notVerified).toEqual([]);
    } finally {
      removeDir(dir);
    }
  });

  it('never writes to $DATABASE_URL', async () => {
    const url = await db.createDatabase('untouched');
    const dir = tempDir(GOOD);
    try {
      const result = await runCli(['verify', '--dir', dir, '--ephemeral-server', testMajor() === 15 ? '15' : 'embedded'], { env: { DATABASE_URL: url } });
      expect(result.code).toBe(0);
      expect(await db.query(url, `SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('users', 'schema_migrations')`)).toEqual([{ n: 0 }]);
    } finally {
      removeDir(dir);
    }
  });
});
