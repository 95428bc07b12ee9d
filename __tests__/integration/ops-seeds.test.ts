import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const cli = (url: string, cwd: string, ...args: string[]) => runCli(['seed', ...args], { env: { DATABASE_URL: url, POSTGRES_URL: undefined }, cwd });

describe('ddlgate seed', () => {
  it('runs seeds once in name order, skips them after, refuses a changed one unless --reseed, and --dry-run keeps nothing', async () => {
    const url = await db.createDatabase('seeds');
    await db.query(url, 'CREATE TABLE roles (name text PRIMARY KEY); CREATE TABLE users (email text PRIMARY KEY, role text REFERENCES roles)');
    const cwd = tempDir({
      'seeds/10_users.sql': "INSERT INTO users VALUES ('admin@x', 'admin');",
      // Name order, not number order: 02 runs before 10, and users need their role first.
      'seeds/02_roles.sql': "INSERT INTO roles VALUES ('admin'), ('member');",
      'seeds/README.md': 'not a seed',
    });
    try {
      const first = await cli(url, cwd);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied\s+02_roles\.sql.*\napplied\s+10_users\.sql/);
      const second = await cli(url, cwd, '--format', 'json');
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout).seeds.map((s: any) => s.state)).toEqual(['skipped', 'skipped']);
      expect(await db.query(url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 1 }]);
      const history = await db.query(url, 'SELECT name, checksum, executed_by FROM ddlgate.seed_history ORDER BY name');
      expect(history.map((h) => h.name)).toEqual(['02_roles.sql', '10_users.sql']);
      expect(history[0].checksum).toMatch(/^[0-9a-f]{64}$/);

      writeFileSync(path.join(cwd, 'seeds', '10_users.sql'), "INSERT INTO users VALUES ('admin@x', 'admin') ON CONFLICT DO NOTHING;\nINSERT INTO users VALUES ('bob@x', 'member');");
      writeFileSync(path.join(cwd, 'seeds', '20_more.sql'), "INSERT INTO roles VALUES ('guest');");
      const refused = await cli(url, cwd);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe('ddlgate: seeds/10_users.sql: seed changed since it ran (checksum differs); run it again with --reseed 10_users.sql, or restore the file\n');
      // Refused before anything ran: the new seed 20 did not run either.
      expect(await db.query(url, `SELECT 1 FROM roles WHERE name = 'guest'`)).toHaveLength(0);

      const dry = await cli(url, cwd, '--reseed', '10_users', '--dry-run', '--format', 'json');
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout).seeds.map((s: any) => s.state)).toEqual(['skipped', 'would-reseed', 'would-apply']);
      expect(await db.query(url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 1 }]);
      expect(await db.query(url, `SELECT 1 FROM ddlgate.seed_history WHERE name = '20_more.sql'`)).toHaveLength(0);

      const reseed = await cli(url, cwd, '--reseed', '10_users.sql');
      expect(reseed.code).toBe(0);
      expect(reseed.stdout).toMatch(/skipped\s+02_roles\.sql.*\nreseeded\s+10_users\.sql.*\napplied\s+20_more\.sql/);
      expect((await db.query(url, 'SELECT email FROM users ORDER BY 1')).map((r) => r.email)).toEqual(['admin@x', 'bob@x']);
      const audit = await db.query(url, `SELECT details->>'seed' AS seed, details->>'reseed' AS reseed FROM ddlgate.migration_history WHERE action = 'seed' ORDER BY id`);
      expect(audit).toEqual([
        { seed: '02_roles.sql', reseed: null },
        { seed: '10_users.sql', reseed: null },
        { seed: '10_users.sql', reseed: 'true' },
        { seed: '20_more.sql', reseed: null },
      ]);
      expect((await cli(url, cwd)).stdout).not.toMatch(/applied|reseeded/);
    } finally {
      removeDir(cwd);
    }
  });

  it('rolls back a failing seed whole, naming its line, and keeps the ones before', async () => {
    const url = await db.createDatabase('seeds_fail');
    await db.query(url, 'CREATE TABLE items (id int PRIMARY KEY)');
    const cwd = tempDir({
      'data/a.sql': 'INSERT INTO items VALUES (1);',
      'data/b.sql': 'INSERT INTO items VALUES (2);\n\nINSERT INTO items VALUES (1);',
    });
    try {
      const result = await cli(url, cwd, '--seeds-dir', 'data');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ddlgate: seed b\.sql failed: data\/b\.sql:3: duplicate key value .*\(committed before it: a\.sql\)$/m);
      expect((await db.query(url, 'SELECT id FROM items ORDER BY id')).map((r) => r.id)).toEqual([1]);
      expect((await db.query(url, 'SELECT name FROM ddlgate.seed_history')).map((r) => r.name)).toEqual(['a.sql']);
      const missing = await cli(url, cwd, '--seeds-dir', 'nope');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/nope: seeds directory not found/);
    } finally {
      removeDir(cwd);
    }
  });
});
