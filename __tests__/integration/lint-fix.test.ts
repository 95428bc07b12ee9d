/**
 * `lint --fix` end to end on real PostgreSQL: the rewritten migration and the follow-up it creates lint
 * clean and apply, and the database ends with what the original migration asked for (a UNIQUE
 * constraint, a NOT NULL column, a validated foreign key, indexes) without the locks it would have taken.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const BASE = [
  'CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text);',
  'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);',
  'INSERT INTO users SELECT g, g::text, g::text FROM generate_series(1, 500) g;',
  'INSERT INTO orders SELECT g, 1 + g % 500, g FROM generate_series(1, 500) g;',
  '',
].join('\n');

const RISKY = [
  'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
  'ALTER TABLE users ADD UNIQUE (nick);',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0);',
  'CREATE INDEX orders_total_idx ON orders (total);',
  'REINDEX TABLE orders;',
  '',
].join('\n');

test('--fix --dry prints the diff; --fix rewrites; the result lints clean and applies with the same end state', async () => {
  const dir = tempDir({ 'migrations/0001_base.up.sql': BASE, 'migrations/0002_risky.up.sql': RISKY });
  const migrations = path.join(dir, 'migrations');
  try {
    const before = await runCli(['lint'], { cwd: dir });
    expect(before.code).toBe(1);
    for (const rule of ['unique-constraint-without-index', 'set-not-null', 'foreign-key-without-not-valid', 'check-without-not-valid', 'create-index-not-concurrently', 'reindex-not-concurrently']) expect(before.stdout).toContain(rule);

    const dry = await runCli(['lint', '--fix', '--dry'], { cwd: dir });
    expect(dry.stdout).toContain('--- migrations/0002_risky.up.sql');
    expect(dry.stdout).toContain('-ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);');
    expect(dry.stdout).toContain('+CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);');
    expect(dry.stdout).toContain('+ALTER TABLE users ADD CONSTRAINT users_email_not_null_check CHECK (email IS NOT NULL) NOT VALID;');
    expect(dry.stdout).toContain('+++ migrations/0003_complete_safe_changes.up.sql');
    expect(readFileSync(path.join(migrations, '0002_risky.up.sql'), 'utf8')).toBe(RISKY);
    expect(readdirSync(migrations)).toHaveLength(2);

    const fixed = await runCli(['lint', '--fix'], { cwd: dir });
    expect(fixed.code).toBe(0);
    expect(readFileSync(path.join(migrations, '0002_risky.up.sql'), 'utf8')).toBe(
      [
        '-- ddlgate:no-transaction',
        'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);',
        'CREATE UNIQUE INDEX CONCURRENTLY users_nick_key ON users (nick);',
        'ALTER TABLE users ADD CONSTRAINT users_email_not_null_check CHECK (email IS NOT NULL) NOT VALID;',
        'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
        'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0) NOT VALID;',
        'CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);',
        'REINDEX TABLE CONCURRENTLY orders;',
        '',
      ].join('\n'),
    );
    expect(readFileSync(path.join(migrations, '0003_complete_safe_changes.up.sql'), 'utf8')).toBe(
      [
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null_check;',
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
        'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
        'ALTER TABLE users ADD CONSTRAINT users_nick_key UNIQUE USING INDEX users_nick_key;',
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        'ALTER TABLE users DROP CONSTRAINT users_email_not_null_check;',
        '',
      ].join('\n'),
    );

    const after = await runCli(['lint'], { cwd: dir });
    expect(after.stdout).toContain('no findings');
    expect(after.code).toBe(0);

    // Applied on real PostgreSQL: the end state the risky migration asked for.
    const url = await db.createDatabase('lintfix');
    const up = await runCli(['up', '--database-url', url], { cwd: dir });
    expect(up.stderr).not.toMatch(/error|failed/i);
    expect(up.code).toBe(0);
    const constraints = await db.query(url, "SELECT conname, contype, convalidated FROM pg_constraint WHERE conrelid IN ('users'::regclass, 'orders'::regclass) AND contype <> 'n' ORDER BY conname");
    expect(constraints).toEqual([
      { conname: 'orders_pkey', contype: 'p', convalidated: true },
      { conname: 'orders_total_check', contype: 'c', convalidated: true },
      { conname: 'orders_user_fk', contype: 'f', convalidated: true },
      { conname: 'users_email_key', contype: 'u', convalidated: true },
      { conname: 'users_nick_key', contype: 'u', convalidated: true },
      { conname: 'users_pkey', contype: 'p', convalidated: true },
    ]);
    expect(await db.query(url, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'")).toEqual([{ attnotnull: true }]);
    expect(await db.query(url, "SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'orders'::regclass AND indisvalid")).toEqual([{ n: 2 }]);
  } finally {
    removeDir(dir);
  }
});
