/**
 * A history that stops for a reason outside the migrations says what it needs (src/db/failure-hint.ts):
 * the run fails with one line naming the file, the line, PostgreSQL's reason and the missing extension
 * or server version — on the real server of each jest project (18 and 15).
 */
import { removeDir, runCli, tempDir, testMajor, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

async function up(files: Record<string, string>) {
  const url = await db.createDatabase('hint');
  const cwd = tempDir(files);
  try {
    const result = await runCli(['up', '--dir', 'migrations'], { cwd, env: { DATABASE_URL: url, DDLGATE_ENV: undefined } });
    return { ...result, url };
  } finally {
    removeDir(cwd);
  }
}

describe('failure hints on a real server', () => {
  it('a missing extension is named with what to do, exit 1, nothing of that migration applied', async () => {
    const run = await up({
      'migrations/001_base.up.sql': 'CREATE TABLE base (id int);\n',
      'migrations/002_ext.up.sql': 'CREATE TABLE before_ext (id int);\nCREATE EXTENSION ddlgate_no_such_extension;\n',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/002_ext\.up\.sql:2: .*ddlgate_no_such_extension.* — the server has no "ddlgate_no_such_extension" extension: install its package on the database server/);
    expect(await db.query(run.url, "SELECT to_regclass('before_ext') IS NULL AS gone")).toEqual([{ gone: true }]);
  }, 120_000);

  it('goose: a SQL migration that needs what a Go migration (kept in Go code) creates says so', async () => {
    const run = await up({
      'migrations/20240101120000_base.sql': '-- +goose Up\nCREATE TABLE base (id int);\n',
      'migrations/20240103120000_alter.sql': '-- +goose Up\nALTER TABLE made_by_go ADD COLUMN note text;\n',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/20240103120000_alter\.sql:2: relation "made_by_go" does not exist — goose also runs Go migrations .*ddlgate runs only the SQL migrations/);
  }, 120_000);

  it('a rollback that stops for an outside reason says what it needs too, exit 1, the migration still applied', async () => {
    const url = await db.createDatabase('hint_down');
    const cwd = tempDir({
      'migrations/001_orders.up.sql': 'CREATE TABLE orders (id int);\n',
      'migrations/001_orders.down.sql': 'REVOKE ALL ON TABLE orders FROM ddlgate_platform_role;\nDROP TABLE orders;\n',
    });
    try {
      const env = { DATABASE_URL: url, DDLGATE_ENV: undefined };
      expect((await runCli(['up', '--dir', 'migrations'], { cwd, env })).code).toBe(0);
      const down = await runCli(['down', '--dir', 'migrations'], { cwd, env });
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/001_orders\.down\.sql:1: .*role "ddlgate_platform_role" does not exist.* — role "ddlgate_platform_role" is not created by these migrations: a platform or an extension usually creates it/);
      expect(await db.query(url, "SELECT to_regclass('orders') IS NOT NULL AS kept")).toEqual([{ kept: true }]);
    } finally {
      removeDir(cwd);
    }
  }, 120_000);

  it('SQL newer than the server: hint on PostgreSQL 15, and the same migration simply applies on 18', async () => {
    // A subquery in FROM without an alias is valid from PostgreSQL 16 on.
    const run = await up({ 'migrations/001_view.up.sql': 'CREATE VIEW v AS SELECT * FROM (SELECT 1 AS one);\n' });
    if (testMajor() === 15) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/001_view\.up\.sql:1: subquery in FROM must have an alias.* — the statement is valid PostgreSQL 18 SQL \(ddlgate parsed it\) but this server runs PostgreSQL 15: it may need a newer server/);
    } else {
      expect(run.code).toBe(0);
      expect(run.stderr).not.toMatch(/may need a newer server/);
    }
  }, 120_000);
});
