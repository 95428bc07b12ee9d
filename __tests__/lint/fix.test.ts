/** lint --fix: mechanical rewrites, checked by linting the result again. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintMigrationsDir, lintSource } from '../../src/lint/index.js';
import { diffLines, planFixes } from '../../src/lint/fix.js';

beforeAll(async () => {
  await loadParser();
});

const fix = (sql: string, next: string | null = '0003_validate_constraints.up.sql') => planFixes(sql, lintSource(sql), { pgVersion: 15, nextMigrationName: () => next ?? undefined });

describe('planFixes', () => {
  test('CREATE/DROP INDEX and REINDEX get CONCURRENTLY and the no-transaction directive; the result lints clean', () => {
    const sql = '-- add an index\nCREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON users (email);\nDROP INDEX users_old_idx;\nREINDEX INDEX users_name_idx;\n';
    const plan = fix(sql);
    expect(plan.text).toBe('-- ddlgate:no-transaction\n-- add an index\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\nDROP INDEX CONCURRENTLY users_old_idx;\nREINDEX INDEX CONCURRENTLY users_name_idx;\n');
    expect(plan.changes.map((c) => c.rule)).toEqual(['create-index-not-concurrently', 'drop-index-not-concurrently', 'reindex-not-concurrently', 'no-transaction']);
    expect(lintSource(plan.text)).toEqual([]);
    expect(plan.newFiles).toEqual([]);
  });

  test('FOREIGN KEY and CHECK become NOT VALID, with a new migration that validates them', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n';
    const plan = fix(sql);
    expect(plan.text).toBe('ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\n');
    expect(plan.newFiles).toEqual([{ name: '0003_validate_constraints.up.sql', text: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n' }]);
    expect(lintSource(plan.text)).toEqual([]);
    expect(lintSource(plan.newFiles[0]!.text)).toEqual([]);
  });

  test('a Flyway file keeps its ${placeholders} as written: rewritten around them, never filled with this run\'s values', () => {
    const sql = 'CREATE INDEX orders_owner_idx ON ${appSchema}.orders (owner);\nALTER TABLE ${appSchema}.orders ADD CONSTRAINT orders_owner_fk FOREIGN KEY (owner) REFERENCES ${appSchema}.owners (id);\n';
    const findings = lintSource(sql.replaceAll('${appSchema}', 'shop'));
    const plan = planFixes(sql, findings, { pgVersion: 15, nextMigrationName: (suffix) => `V3__${suffix}.sql`, flywayPlaceholders: true });
    expect(plan.text).toBe('-- ddlgate:no-transaction\nCREATE INDEX CONCURRENTLY orders_owner_idx ON ${appSchema}.orders (owner);\nALTER TABLE ${appSchema}.orders ADD CONSTRAINT orders_owner_fk FOREIGN KEY (owner) REFERENCES ${appSchema}.owners (id) NOT VALID;\n');
    expect(plan.newFiles).toEqual([{ name: 'V3__validate_constraints.sql', text: 'ALTER TABLE ${appSchema}.orders VALIDATE CONSTRAINT orders_owner_fk;\n' }]);
    // Without the option the file does not parse, and nothing is rewritten.
    expect(planFixes(sql, findings, { pgVersion: 15 }).changes).toEqual([]);
  });

  test('no NOT VALID without a place for the validating migration; no CONCURRENTLY inside BEGIN … COMMIT', () => {
    expect(fix('ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);\n', null).changes).toEqual([]);
    expect(fix('BEGIN;\nCREATE INDEX i ON users (email);\nCOMMIT;\n').changes).toEqual([]);
  });

  test('ADD UNIQUE becomes CREATE UNIQUE INDEX CONCURRENTLY, attached USING INDEX by the new migration', () => {
    const sql = 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\nALTER TABLE users ADD UNIQUE (nick, "Team");\n';
    const plan = fix(sql);
    expect(plan.text).toBe('-- ddlgate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nCREATE UNIQUE INDEX CONCURRENTLY "users_nick_Team_key" ON users (nick, "Team");\n');
    expect(plan.newFiles).toEqual([
      { name: '0003_validate_constraints.up.sql', text: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;\nALTER TABLE users ADD CONSTRAINT "users_nick_Team_key" UNIQUE USING INDEX "users_nick_Team_key";\n' },
    ]);
    expect(lintSource(plan.text)).toEqual([]);
    expect(lintSource(plan.newFiles[0]!.text)).toEqual([]);
    // Options USING INDEX cannot carry, PRIMARY KEY (needs NOT NULL columns first) and BEGIN … COMMIT: left alone.
    expect(fix('ALTER TABLE users ADD CONSTRAINT k UNIQUE (email) DEFERRABLE;\n').changes).toEqual([]);
    expect(fix('ALTER TABLE users ADD CONSTRAINT k UNIQUE NULLS NOT DISTINCT (email);\n').changes).toEqual([]);
    expect(fix('ALTER TABLE users ADD PRIMARY KEY (id);\n').changes).toEqual([]);
    expect(fix('BEGIN;\nALTER TABLE users ADD UNIQUE (email);\nCOMMIT;\n').changes).toEqual([]);
  });

  test('SET NOT NULL becomes a CHECK … NOT VALID; the new migration validates first, then sets NOT NULL and drops the CHECK', () => {
    const plan = fix('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n');
    expect(plan.text).toBe('ALTER TABLE users ADD CONSTRAINT users_email_not_null_check CHECK (email IS NOT NULL) NOT VALID;\n');
    expect(plan.newFiles[0]!.text).toBe('ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null_check;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null_check;\n');
    expect(lintSource(plan.text)).toEqual([]);
    // Linted as the next migration of a directory: the CHECK it validates is the one SET NOT NULL then uses.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-fix-nn-'));
    writeFileSync(path.join(dir, '0001_users.up.sql'), 'CREATE TABLE users (id bigint, email text);\n');
    writeFileSync(path.join(dir, '0002_check.up.sql'), plan.text);
    writeFileSync(path.join(dir, '0003_complete.up.sql'), plan.newFiles[0]!.text);
    expect(lintMigrationsDir(dir).files.flatMap((f) => f.findings)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    // Before PostgreSQL 12, SET NOT NULL does not use the CHECK: no rewrite.
    expect(planFixes('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n', lintSource('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n'), { pgVersion: 11, nextMigrationName: () => 'x.up.sql' }).changes).toEqual([]);
  });

  test('with several follow-ups, every VALIDATE comes before the steps that take ACCESS EXCLUSIVE', () => {
    const plan = fix('ALTER TABLE users ADD UNIQUE (email);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n');
    expect(plan.newFiles[0]!.text.split('\n')[0]).toBe('ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;');
    expect(plan.changes.map((c) => c.rule)).toEqual(['unique-constraint-without-index', 'foreign-key-without-not-valid', 'no-transaction']);
  });

  test('REINDEX SCHEMA and DATABASE get CONCURRENTLY too', () => {
    expect(fix('REINDEX SCHEMA public;\n').text).toBe('-- ddlgate:no-transaction\nREINDEX SCHEMA CONCURRENTLY public;\n');
  });

  test('diffLines shows the changed lines', () => {
    expect(diffLines('m.sql', 'a\nb\nc\n', 'a\nB\nc\n')).toBe('--- m.sql\n+++ m.sql\n@@ -2,1 +2,1 @@\n-b\n+B');
  });
});

describe('ddlgate lint --fix (CLI)', () => {
  const cli = path.join(process.cwd(), 'bin', 'ddlgate.js');
  test('--fix --dry prints the diff and changes nothing; --fix writes the files and the new migration, then lints clean', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-fix-'));
    const migrations = path.join(dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(path.join(migrations, '0001_users.up.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint, user_id bigint);\n');
    const original = 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n';
    writeFileSync(path.join(migrations, '0002_index.up.sql'), original);
    const dry = spawnSync(process.execPath, [cli, 'lint', '--fix', '--dry'], { cwd: dir, encoding: 'utf8' });
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain('+CREATE INDEX CONCURRENTLY users_email_idx ON users (email);');
    expect(dry.stdout).toContain('+++ migrations/0003_validate_constraints.up.sql');
    expect(readFileSync(path.join(migrations, '0002_index.up.sql'), 'utf8')).toBe(original);
    const run = spawnSync(process.execPath, [cli, 'lint', '--fix'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toContain('fixed migrations/0002_index.up.sql:1 create-index-not-concurrently');
    expect(run.status).toBe(0);
    expect(readdirSync(migrations).sort()).toEqual(['0001_users.up.sql', '0002_index.up.sql', '0003_validate_constraints.up.sql']);
    expect(readFileSync(path.join(migrations, '0003_validate_constraints.up.sql'), 'utf8')).toBe('ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n');
  });
});
