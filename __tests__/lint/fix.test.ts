/** lint --fix: mechanical rewrites, checked by linting the result again. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintSource } from '../../src/lint/index.js';
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

  test('no NOT VALID without a place for the validating migration; no CONCURRENTLY inside BEGIN … COMMIT', () => {
    expect(fix('ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);\n', null).changes).toEqual([]);
    expect(fix('BEGIN;\nCREATE INDEX i ON users (email);\nCOMMIT;\n').changes).toEqual([]);
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
