import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

// Edge cases found in review: each once broke a guarantee (nothing half-applied, errors at the right place,
// exit 2 for bad input, migrations independent of each other's session settings).
const db = useTestDatabase();
const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

async function withDir(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir(files);
  try {
    await body(dir);
  } finally {
    removeDir(dir);
  }
}

describe('runner edge cases', () => {
  it('never skips a concurrent index build because a same-named index exists on another table', async () => {
    const url = await db.createDatabase('samename');
    await db.query(url, 'CREATE TABLE other (a int); CREATE INDEX shared_idx ON other (a); CREATE TABLE target (email text);');
    await withDir({ '1_idx.up.sql': 'CREATE UNIQUE INDEX CONCURRENTLY shared_idx ON target (email);' }, async (dir) => {
      const result = await cli(url, dir, 'up');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/1_idx\.up\.sql:1: relation "shared_idx" already exists/);
      expect(await db.query(url, `SELECT indrelid::regclass::text AS t, indisvalid FROM pg_index WHERE indexrelid = 'shared_idx'::regclass`)).toEqual([{ t: 'other', indisvalid: true }]);
    });
  });

  it('refuses to resume a statement-by-statement migration whose file changed after it stopped part-way', async () => {
    const url = await db.createDatabase('editedpartial');
    await withDir({ '1_a.up.sql': '-- ddlgate:no-transaction\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON missing_table (id);' }, async (dir) => {
      expect((await cli(url, dir, 'up')).code).toBe(1);
      writeFileSync(path.join(dir, '1_a.up.sql'), '-- ddlgate:no-transaction\nCREATE TABLE pre (id int);\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON a (id);');
      const result = await cli(url, dir, 'up');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/1_a\.up\.sql: changed after a run stopped part-way \(1 statement\(s\) done\)/);
      expect(await db.query(url, `SELECT to_regclass('pre') IS NULL AS absent`)).toEqual([{ absent: true }]);
    });
  });

  it('dry-run accepts a migration using an enum value that an earlier pending migration adds', async () => {
    const url = await db.createDatabase('enumvalue');
    await withDir(
      {
        '1_type.up.sql': "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE feelings (m mood);",
        '2_value.up.sql': "ALTER TYPE mood ADD VALUE 'b';",
        '3_use.up.sql': "INSERT INTO feelings VALUES ('b');",
      },
      async (dir) => {
        expect((await cli(url, dir, 'up', '--to', '1')).code).toBe(0);
        const dry = await cli(url, dir, 'dry-run', '--format', 'json');
        expect(dry.code).toBe(0);
        const report = JSON.parse(dry.stdout);
        expect(report.migrations.map((m: any) => m.ok)).toEqual([true, true]);
        expect(report.migrations[1].statements[0].note).toMatch(/enum value added by an earlier pending migration/);
        expect((await cli(url, dir, 'up')).code).toBe(0);
      },
    );
  });

  it('names a deferred constraint failing at COMMIT as such, and leaves nothing of the migration', async () => {
    const url = await db.createDatabase('deferred');
    const ddl = 'CREATE TABLE parent (id int PRIMARY KEY);\nCREATE TABLE child (pid int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child VALUES (42);\nSELECT 1;';
    await withDir({ '1_a.up.sql': ddl }, async (dir) => {
      const result = await cli(url, dir, 'up');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/1_a\.up\.sql: at COMMIT \(deferred constraint or trigger\): .*violates foreign key constraint/);
      expect(await db.query(url, `SELECT to_regclass('child') IS NULL AS absent`)).toEqual([{ absent: true }]);
      const single = await cli(url, dir, 'up', '--single-transaction');
      expect(single.code).toBe(1);
      expect(single.stderr).toMatch(/at COMMIT of the single transaction .*nothing of this batch was applied/);
      expect(single.stderr).not.toMatch(/unexpected error/);
      const history = await db.query(url, `SELECT status FROM ddlgate.migration_history WHERE version = '1' ORDER BY id`);
      expect(history).toEqual([{ status: 'failed' }, { status: 'failed' }]);
    });
  });

  it('runs each migration with a fresh session: a SET in one does not leak into the next', async () => {
    const url = await db.createDatabase('sessionleak');
    await db.query(url, `CREATE ROLE app_owner NOLOGIN`);
    await db.query(url, `GRANT CREATE ON SCHEMA public TO app_owner`);
    await withDir(
      {
        '1_audit.up.sql': 'CREATE SCHEMA audit;\nSET search_path = audit, public;\nCREATE TABLE log (id int);',
        '2_users.up.sql': 'CREATE TABLE users (id int);',
        // A migration that creates objects as the application's role: the tracking rows are still written as the login role.
        '3_owned.up.sql': 'SET ROLE app_owner;\nCREATE TABLE owned (id int);',
        '4_after.up.sql': 'CREATE TABLE after_role (id int);',
      },
      async (dir) => {
        const result = await cli(url, dir, 'up');
        expect(result.stderr).not.toMatch(/failed/);
        expect(result.code).toBe(0);
        const where = await db.query(url, `SELECT relname, relnamespace::regnamespace::text AS schema, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('log', 'users', 'owned', 'after_role') ORDER BY relname`);
        expect(where).toEqual([
          { relname: 'after_role', schema: 'public', owner: 'postgres' },
          { relname: 'log', schema: 'audit', owner: 'postgres' },
          { relname: 'owned', schema: 'public', owner: 'app_owner' },
          { relname: 'users', schema: 'public', owner: 'postgres' },
        ]);
      },
    );
  });

  it('rejects out-of-range timeouts and malformed %-escapes in the URL as bad input (exit 2), changing nothing', async () => {
    const url = await db.createDatabase('badvalues');
    await withDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' }, async (dir) => {
      const timeout = await cli(url, dir, 'up', '--statement-timeout', '1000h');
      expect(timeout.code).toBe(2);
      expect(timeout.stderr).toMatch(/--statement-timeout: "1000h" is longer than PostgreSQL accepts/);
      const escape = await runCli(['status', '--dir', dir, '--database-url', 'postgres://postgres:se%ZZkrit@127.0.0.1:5432/db']);
      expect(escape.code).toBe(2);
      expect(escape.stderr).toMatch(/invalid %-escape in the password/);
      expect(escape.stderr).not.toContain('se%ZZkrit');
      expect(await db.query(url, `SELECT to_regclass('ddlgate.schema_migrations') IS NULL AS untouched`)).toEqual([{ untouched: true }]);
    });
  });
});

describe('session reset before statement-by-statement migrations', () => {
  it('a SET in a transactional migration does not leak into a following CONCURRENTLY migration', async () => {
    const url = await db.createDatabase('leakntx');
    await withDir(
      {
        '1_audit.up.sql': 'CREATE SCHEMA audit2;\nCREATE TABLE audit2.t (id int);\nCREATE TABLE public.t (id int);\nSET search_path = audit2, public;',
        '2_idx.up.sql': 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);',
      },
      async (dir) => {
        expect((await cli(url, dir, 'up')).code).toBe(0);
        expect(await db.query(url, `SELECT indrelid::regclass::text AS t FROM pg_index WHERE indexrelid::regclass::text LIKE '%t_id_idx'`)).toEqual([{ t: 't' }]);
        expect(await db.query(url, `SELECT relnamespace::regnamespace::text AS schema FROM pg_class WHERE relname = 't_id_idx'`)).toEqual([{ schema: 'public' }]);
      },
    );
  });
});

describe('migration lock', () => {
  it('gives up after --lock-wait with exit 1, naming the holder, and changes nothing', async () => {
    const url = await db.createDatabase('lockwait');
    const { migrationLockKey } = await import('../../src/db/advisory-lock.js');
    const pg = (await import('pg')).default;
    const holder = new pg.Client({ connectionString: url, application_name: 'other-deployer' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey('ddlgate').toString()]);
      await withDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' }, async (dir) => {
        const started = Date.now();
        const result = await cli(url, dir, 'up', '--lock-wait', '1s');
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/waiting for the migration lock .*held by pid \d+ \(other-deployer/);
        expect(result.stderr).toMatch(/gave up waiting for the migration lock after 1 s; held by pid \d+ \(other-deployer/);
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(await db.query(url, `SELECT to_regclass('a') IS NULL AS absent`)).toEqual([{ absent: true }]);
      });
    } finally {
      await holder.end();
    }
  });
});
