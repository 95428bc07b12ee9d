import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { main } from '../../src/cli/main.js';

const FIXTURES = path.join(process.cwd(), '__tests__/lint/fixtures');

async function run(args: string[], cwd?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => ((stderr += String(chunk)), true));
  const previousCwd = process.cwd();
  const previousExit = process.exitCode;
  const previousAllow = process.env.ALLOW_BREAKING_MIGRATIONS;
  delete process.env.ALLOW_BREAKING_MIGRATIONS;
  Object.assign(process.env, env);
  if (cwd) process.chdir(cwd);
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    if (cwd) process.chdir(previousCwd);
    process.exitCode = previousExit;
    for (const key of Object.keys(env)) delete process.env[key];
    if (previousAllow !== undefined) process.env.ALLOW_BREAKING_MIGRATIONS = previousAllow;
    out.mockRestore();
    err.mockRestore();
  }
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-cli-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('ddlgate lint', () => {
  test('default: the migrations dir; exit 1 on a blocking finding; text output', async () => {
    const dir = project({ 'migrations/20260101000000_idx.up.sql': 'CREATE INDEX users_email_idx ON users (email);\n' });
    const { code, stdout } = await run(['lint'], dir);
    expect(code).toBe(1);
    // DESIGN.md: text output starts with the layout it read.
    expect(stdout).toMatch(/^layout: native \(1 migration\)\nmigrations\/20260101000000_idx\.up\.sql:1:1 {2}error {2}create-index-not-concurrently {2}CREATE INDEX/);
    expect(stdout).toMatch(/\n {4}hint: Use CREATE INDEX CONCURRENTLY/);
  });

  test('--format json prints the lint JSON; warnings and infos alone exit 0', async () => {
    const dir = project({ 'migrations/20260101000000_t.up.sql': 'ALTER TABLE events ADD COLUMN payload json;\nALTER TABLE events ALTER COLUMN kind TYPE text;\n' });
    const { code, stdout } = await run(['lint', '--format', 'json'], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      layout: 'native',
      files: [
        {
          path: 'migrations/20260101000000_t.up.sql',
          findings: [
            expect.objectContaining({ rule: 'prefer-jsonb', severity: 'info', line: 1, column: 1, endLine: 1, evidence: null, impact: null, table: 'public.events' }),
            expect.objectContaining({ rule: 'change-column-type', severity: 'warning', line: 2, evidence: null, impact: null }),
          ],
        },
      ],
      summary: { errors: 0, warnings: 1, infos: 1 },
    });
  });

  test('explicit paths are linted whatever their names; --format markdown', async () => {
    const { code, stdout } = await run(['lint', path.join(FIXTURES, 'loose/cleanup.sql'), '--format', 'markdown']);
    expect(code).toBe(1);
    expect(stdout).toContain('`truncate`');
  });

  test('--allow-breaking and ALLOW_BREAKING_MIGRATIONS=true report breaking changes without blocking', async () => {
    const dir = project({ 'migrations/20260101000000_drop.up.sql': 'DROP TABLE legacy;\n' });
    expect((await run(['lint'], dir)).code).toBe(1);
    const allowed = await run(['lint', '--allow-breaking', '--format', 'json'], dir);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).files[0].findings[0]).toMatchObject({ rule: 'drop-table', severity: 'warning', message: expect.stringContaining('allowed by ALLOW_BREAKING_MIGRATIONS') });
    expect((await run(['lint'], dir, { ALLOW_BREAKING_MIGRATIONS: 'true' })).code).toBe(0);
  });

  test('ddlgate.json: rules, pgVersion, exclude, migrationsDir; unknown rule → exit 2 naming it', async () => {
    const dir = project({
      'db/20260101000000_a.up.sql': "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';\nCREATE TABLE t (j json);\n",
      'db/20260102000000_legacy.up.sql': 'DROP TABLE old;\n',
      'ddlgate.json': JSON.stringify({ migrationsDir: 'db', pgVersion: 10, rules: { 'prefer-jsonb': 'off' }, exclude: ['*_legacy.up.sql'] }),
    });
    const { code, stdout } = await run(['lint', '--format', 'json'], dir);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.files.map((f: any) => f.path)).toEqual(['db/20260101000000_a.up.sql']);
    expect(result.files[0].findings.map((f: any) => f.rule)).toEqual(['add-column-volatile-default']);
    expect((await run(['lint', '--format', 'json', '--pg-version', '15'], dir)).code).toBe(0);
    writeFileSync(path.join(dir, 'ddlgate.json'), JSON.stringify({ rules: { 'no-such-rule': 'off' } }));
    const bad = await run(['lint'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown rule "no-such-rule"');
  });

  test('a syntax error is a finding with its line, exit 1, not a crash', async () => {
    const dir = project({ 'migrations/20260101000000_bad.up.sql': 'CREATE TABLE a (id int);\nALTER TABLE;\n' });
    const { code, stdout } = await run(['lint'], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/20260101000000_bad\.up\.sql:2:\d+ {2}error {2}syntax/);
  });

  test('a missing migrations directory is bad usage (exit 2)', async () => {
    const dir = project({});
    const { code, stderr } = await run(['lint'], dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/migrations directory not found/);
  });
});

describe('ddlgate format', () => {
  test('--check exits 1 on an unformatted file and changes nothing; formatting writes the file', async () => {
    const text = 'create table t(id int);\n';
    const dir = project({ 'migrations/20260101000000_t.up.sql': text });
    const check = await run(['format', '--check'], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('migrations/20260101000000_t.up.sql: not formatted');
    expect(readFileSync(path.join(dir, 'migrations/20260101000000_t.up.sql'), 'utf8')).toBe(text);
    const write = await run(['format', 'migrations/20260101000000_t.up.sql'], dir);
    expect(write.code).toBe(0);
    expect(readFileSync(path.join(dir, 'migrations/20260101000000_t.up.sql'), 'utf8')).toBe('create table t (id int);\n');
    expect((await run(['format', '--check'], dir)).code).toBe(0);
  });

  test('without paths and without --check it refuses (formatting applied migrations changes checksums)', async () => {
    const dir = project({ 'migrations/20260101000000_t.up.sql': 'SELECT 1;\n' });
    expect((await run(['format'], dir)).code).toBe(2);
  });
});
