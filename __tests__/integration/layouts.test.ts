/**
 * Every layout's fixture repo (written in its tool's own conventions) lints with findings on the original
 * files' lines, dry-runs, applies and rolls back (where a down exists) on real PostgreSQL.
 */
import path from 'node:path';
import { OperationError } from '../../src/errors.js';
import { runDown } from '../../src/db/down.js';
import { runDryRun } from '../../src/db/dry-run.js';
import { runUp, type RunnerSettings } from '../../src/db/up.js';
import { discoverMigrations } from '../../src/migrations/discover.js';
import { loadMigration } from '../../src/migrations/script.js';
import type { LayoutName } from '../../src/migrations/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { catalogFingerprint, REPO_ROOT, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'layouts');

beforeAll(async () => {
  await loadParser();
});

function settings(url: string, dir: string, layout?: LayoutName): RunnerSettings {
  return { databaseUrl: url, dir, schema: 'ddlgate', lockTimeoutMs: 5000, statementTimeoutMs: 60_000, lockWaitMs: 10_000, lockRetries: 0, log: () => {}, ...(layout ? { layout } : {}) };
}

interface Case {
  fixture: string;
  layout?: LayoutName;
  /** The non-concurrent CREATE INDEX every fixture holds: file and line the lint finding must point at. */
  index: { file: string; line: number };
  rollsBack: boolean;
}

const CASES: Case[] = [
  { fixture: 'native', index: { file: '20240102120000_add_users_email_index.up.sql', line: 2 }, rollsBack: true },
  { fixture: 'sequential', index: { file: '002_add_users_email_index.sql', line: 4 }, rollsBack: true },
  { fixture: 'flat', index: { file: '02_orders.sql', line: 7 }, rollsBack: false },
  { fixture: 'drizzle', index: { file: '0001_silky_ultron.sql', line: 2 }, rollsBack: false },
  { fixture: 'dbmate', index: { file: '20240102120000_add_users_email_index.sql', line: 2 }, rollsBack: true },
  { fixture: 'node-pg-migrate', index: { file: '1704196800000_add-users-email-index.sql', line: 3 }, rollsBack: true },
  { fixture: 'golang-migrate', layout: 'golang-migrate', index: { file: '000002_add_users_email_index.up.sql', line: 2 }, rollsBack: true },
  { fixture: 'flyway', index: { file: 'V2__add_users_email_index.sql', line: 1 }, rollsBack: true },
];

async function tables(url: string): Promise<string[]> {
  const rows = await db.query(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  return rows.map((row) => row.table_name);
}

describe.each(CASES)('$fixture layout', ({ fixture, layout, index, rollsBack }) => {
  const dir = path.join(FIXTURES, fixture);

  it('lints with findings on the original file lines', async () => {
    const result = await runCli(['lint', '--dir', dir, '--format', 'json', ...(layout ? ['--layout', layout] : [])]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    const report = JSON.parse(result.stdout);
    const file = report.files.find((f: { path: string }) => path.basename(f.path) === index.file);
    expect(file).toBeDefined();
    const finding = file.findings.find((f: { rule: string }) => f.rule === 'create-index-not-concurrently');
    expect(finding).toMatchObject({ line: index.line, column: 1 });
    // The runner agrees: the statement it would execute sits on the same line.
    const entry = discoverMigrations(dir, layout ? { layout } : {}).find((e) => path.basename(e.upPath) === index.file)!;
    expect(loadMigration(entry).up.statements.find((s) => s.kind === 'IndexStmt')!.line).toBe(index.line);
  });

  it('dry-runs, applies and rolls back on PostgreSQL', async () => {
    const url = await db.createDatabase(fixture);
    const before = await catalogFingerprint(url);
    const report = await runDryRun(settings(url, dir, layout));
    expect(report.migrations.map((m) => m.ok)).toEqual([true, true, true]);
    const entries = discoverMigrations(dir, layout ? { layout } : {});
    // Dry-run statement lines are the files' own lines.
    expect(report.migrations.map((m) => m.statements.map((s) => s.line))).toEqual(entries.map((e) => loadMigration(e).up.statements.map((s) => s.line)));
    expect(await catalogFingerprint(url)).toBe(before);

    const up = await runUp(settings(url, dir, layout));
    expect(up.applied.map((m) => m.version)).toEqual(entries.map((e) => e.version));
    expect(await tables(url)).toEqual(expect.arrayContaining(['users', 'orders']));
    const indexes = await db.query(url, `SELECT indexname FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_email_idx'`);
    expect(indexes).toHaveLength(1);

    if (rollsBack) {
      const done = await runDown({ ...settings(url, dir, layout), steps: 3 });
      expect(done.map((d) => d.version)).toEqual([...entries].reverse().map((e) => e.version));
      expect(await tables(url)).toEqual([]);
      expect(await db.query(url, 'SELECT version FROM ddlgate.schema_migrations')).toEqual([]);
    } else {
      await expect(runDown({ ...settings(url, dir, layout), steps: 1 })).rejects.toThrow(OperationError);
      await expect(runDown({ ...settings(url, dir, layout), steps: 1 })).rejects.toThrow(new RegExp(`has no down migration \\(${fixture} layout\\); nothing was rolled back`));
      expect(await tables(url)).toEqual(expect.arrayContaining(['users', 'orders']));
    }
  });
});

describe('--layout through the CLI', () => {
  it('rolls back golang-migrate files with --layout, and shows sequential metadata in dry-run JSON', async () => {
    const url = await db.createDatabase('cli');
    const seqDir = path.join(FIXTURES, 'sequential');
    const dry = await runCli(['dry-run', '--dir', seqDir, '--database-url', url, '--format', 'json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).migrations[0].metadata).toMatchObject({ Purpose: 'Create the users table' });

    const goDir = path.join(FIXTURES, 'golang-migrate');
    const up = await runUp(settings(url, goDir, 'golang-migrate'));
    expect(up.applied).toHaveLength(3);
    const down = await runCli(['down', '--dir', goDir, '--layout', 'golang-migrate', '--steps', '3', '--database-url', url, '--format', 'json']);
    expect(down.stderr).toMatch(/rolled back 000001_create_users_table/);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout).rolledBack).toHaveLength(3);
    expect(await tables(url)).toEqual([]);

    const bad = await runCli(['up', '--dir', goDir, '--layout', 'liquibase', '--database-url', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--layout: "liquibase" is not a known layout/);
    const wrong = await runCli(['up', '--dir', goDir, '--layout', 'dbmate', '--database-url', url]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/000001_create_users_table\.down\.sql: not a dbmate migration file name/);
  });

  it('refuses files of another layout, and a mixed directory, with exit 2 before connecting', async () => {
    const nowhere = 'postgres://nobody@127.0.0.1:1/none';
    const result = await runCli(['up', '--dir', path.join(FIXTURES, 'native'), '--layout', 'flat', '--database-url', nowhere]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/20240101120000_create_users\.down\.sql: not a flat migration file name; expected NN_name\.sql/);
    const mixed = tempDir({ '001_a.up.sql': 'SELECT 1;', '002_b.sql': '-- Up Migration\nSELECT 1;\n' });
    try {
      const run = await runCli(['dry-run', '--dir', mixed, '--database-url', nowhere]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/002_b\.sql: mixed migration layouts: .*001_a\.up\.sql/);
    } finally {
      removeDir(mixed);
    }
  });
});
