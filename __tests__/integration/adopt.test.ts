/**
 * `ddlgate adopt`: each tool's tracking table is recreated in SQL exactly as the tool creates it, with the
 * first two fixture migrations applied; adopt records those two (never touching the tool's table) and a
 * following `up` applies only the truly new third one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../../src/errors.js';
import { runUp, type RunnerSettings } from '../../src/db/up.js';
import { runAdopt, type AdoptSource } from '../../src/migrations/adopt.js';
import { discoverMigrations } from '../../src/migrations/discover.js';
import type { LayoutName, MigrationEntry } from '../../src/migrations/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { REPO_ROOT, runCli, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'layouts');

beforeAll(async () => {
  await loadParser();
});

function settings(url: string, dir: string, layout?: LayoutName, schema = 'ddlgate'): RunnerSettings {
  return { databaseUrl: url, dir, schema, lockTimeoutMs: 5000, statementTimeoutMs: 60_000, lockWaitMs: 10_000, lockRetries: 0, log: () => {}, ...(layout ? { layout } : {}) };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

interface Case {
  from: AdoptSource;
  fixture: string;
  layout?: LayoutName;
  table: string;
  /** The tool's own table, as the tool creates it, recording the first two migrations. */
  shape: (e: MigrationEntry[]) => string;
  /** The same table in a dirty/failed state, and the refusal naming the version. */
  broken?: { shape: (e: MigrationEntry[]) => string; message: RegExp };
}

const FLYWAY_DDL = `CREATE TABLE public.flyway_schema_history (
  installed_rank integer NOT NULL PRIMARY KEY, version character varying(50), description character varying(200) NOT NULL,
  type character varying(20) NOT NULL, script character varying(1000) NOT NULL, checksum integer,
  installed_by character varying(100) NOT NULL, installed_on timestamp without time zone NOT NULL DEFAULT now(),
  execution_time integer NOT NULL, success boolean NOT NULL);
CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history (success);`;

const SEED_DDL = `CREATE TABLE schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, status text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`;

const CASES: Case[] = [
  {
    from: 'drizzle',
    fixture: 'drizzle',
    table: 'drizzle.__drizzle_migrations',
    shape: (e) => `CREATE SCHEMA IF NOT EXISTS drizzle;
      CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
      INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('${sha256(e[0]!.upPath)}', 1704110400000), ('${sha256(e[1]!.upPath)}', 1704196800000);`,
  },
  {
    from: 'node-pg-migrate',
    fixture: 'node-pg-migrate',
    table: 'public.pgmigrations',
    shape: () => `CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
      INSERT INTO pgmigrations (name, run_on) VALUES ('1704110400000_create-users', '2024-01-01 12:00:00'), ('1704196800000_add-users-email-index', '2024-01-02 12:00:00');`,
  },
  {
    from: 'golang-migrate',
    fixture: 'golang-migrate',
    layout: 'golang-migrate',
    table: 'public.schema_migrations',
    shape: () => `CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL, PRIMARY KEY (version));
      INSERT INTO schema_migrations (version, dirty) VALUES (2, false);`,
    broken: {
      shape: () => `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, true);`,
      message: /golang-migrate state is dirty at version 2/,
    },
  },
  {
    from: 'dbmate',
    fixture: 'dbmate',
    table: 'public.schema_migrations',
    shape: () => `CREATE TABLE IF NOT EXISTS schema_migrations (version character varying(128) NOT NULL PRIMARY KEY);
      INSERT INTO schema_migrations (version) VALUES ('20240101120000'), ('20240102120000');`,
  },
  {
    from: 'flyway',
    fixture: 'flyway',
    table: 'public.flyway_schema_history',
    shape: () => `${FLYWAY_DDL}
      INSERT INTO flyway_schema_history VALUES
        (1, '1', 'create users', 'SQL', 'V1__create_users.sql', -1234567, 'flyway', '2024-01-01 12:00:00', 12, true),
        (2, '2', 'add users email index', 'SQL', 'V2__add_users_email_index.sql', 7654321, 'flyway', '2024-01-02 12:00:00', 8, true);`,
    broken: {
      shape: () => `${FLYWAY_DDL}
        INSERT INTO flyway_schema_history VALUES
          (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1, 'flyway', now(), 12, true),
          (2, '2', 'add users email index', 'SQL', 'V2__add_users_email_index.sql', 2, 'flyway', now(), 8, false);`,
      message: /Flyway migration 2 failed \(success = false\)/,
    },
  },
  {
    from: 'schema-migrations',
    fixture: 'sequential',
    table: 'public.schema_migrations',
    shape: (e) => `${SEED_DDL}
      INSERT INTO schema_migrations (version, checksum, status) VALUES ('001', '${md5(e[0]!.upPath)}', 'applied'), ('002', '${md5(e[1]!.upPath)}', 'applied');`,
    broken: {
      shape: (e) => `${SEED_DDL}
        INSERT INTO schema_migrations (version, checksum, status) VALUES ('001', '${md5(e[0]!.upPath)}', 'applied'), ('002', '${md5(e[1]!.upPath)}', 'failed');`,
      message: /version 002 has status "failed"/,
    },
  },
];

/** Plays the other tool: the first two migrations' SQL runs, their record is left to the tool's table. */
async function databaseMigratedByTool(c: Case, entries: MigrationEntry[]): Promise<string> {
  const url = await db.createDatabase(c.from);
  const dir = path.join(FIXTURES, c.fixture);
  await runUp({ ...settings(url, dir, c.layout, 'tool_sim'), to: entries[1]!.version });
  await db.query(url, 'DROP SCHEMA tool_sim CASCADE');
  return url;
}

const snapshot = async (url: string, table: string) => JSON.stringify(await db.query(url, `SELECT * FROM ${table} ORDER BY 1`));

describe.each(CASES)('adopt --from $from', (c) => {
  const dir = path.join(FIXTURES, c.fixture);
  const entries = discoverMigrations(dir, c.layout ? { layout: c.layout } : {});

  it('records what the tool applied, leaves its table alone, and up applies only the new migration', async () => {
    const url = await databaseMigratedByTool(c, entries);
    await db.query(url, c.shape(entries));
    const before = await snapshot(url, c.table);

    const report = await runAdopt({ ...settings(url, dir, c.layout), from: c.from });
    expect(report.adopted.map((a) => a.version)).toEqual([entries[0]!.version, entries[1]!.version]);
    expect(report.pending).toEqual([entries[2]!.version]);
    expect(report.withoutFile).toEqual([]);
    expect(report.unrecorded).toEqual([]);
    expect(report.notes).toEqual([]);
    expect(await snapshot(url, c.table)).toBe(before);

    const history = await db.query(url, `SELECT version, action, details->>'adoptedFrom' AS source FROM ddlgate.migration_history ORDER BY id`);
    expect(history).toEqual([
      { version: entries[0]!.version, action: 'baseline', source: c.from },
      { version: entries[1]!.version, action: 'baseline', source: c.from },
    ]);

    const up = await runUp(settings(url, dir, c.layout));
    expect(up.applied.map((m) => m.version)).toEqual([entries[2]!.version]);
    const again = await runAdopt({ ...settings(url, dir, c.layout), from: c.from });
    expect(again.adopted).toEqual([]);
    expect(again.alreadyRecorded).toEqual([entries[0]!.version, entries[1]!.version]);
    expect(await snapshot(url, c.table)).toBe(before);
  });

  if (c.broken) {
    it('refuses a dirty or failed state, naming the version, and records nothing', async () => {
      const url = await databaseMigratedByTool(c, entries);
      await db.query(url, c.broken!.shape(entries));
      const attempt = runAdopt({ ...settings(url, dir, c.layout), from: c.from });
      await expect(attempt).rejects.toThrow(OperationError);
      await expect(runAdopt({ ...settings(url, dir, c.layout), from: c.from })).rejects.toThrow(c.broken!.message);
      expect(await db.query(url, 'SELECT * FROM ddlgate.schema_migrations')).toEqual([]);
    });
  }
});

describe('adopt reports', () => {
  it('lists entries without a file and files that look applied but are not recorded (--dry-run writes nothing)', async () => {
    const url = await db.createDatabase('gaps');
    const dir = path.join(FIXTURES, 'dbmate');
    await db.query(url, `CREATE TABLE schema_migrations (version character varying(128) NOT NULL PRIMARY KEY);
      INSERT INTO schema_migrations VALUES ('20240101120000'), ('20240103120000'), ('20991231000000');`);
    const report = await runAdopt({ ...settings(url, dir), from: 'dbmate', dryRun: true });
    expect(report.adopted.map((a) => a.version)).toEqual(['20240101120000', '20240103120000']);
    expect(report.withoutFile).toEqual([{ entry: 'version 20991231000000', appliedAt: null }]);
    expect(report.unrecorded.map((u) => u.version)).toEqual(['20240102120000']);
    expect(await db.query(url, `SELECT to_regclass('ddlgate.schema_migrations') AS t`)).toEqual([{ t: null }]);
  });

  it('drizzle: a file edited after it was applied is matched by its journal timestamp, with a note', async () => {
    const url = await db.createDatabase('drizzle_edit');
    const dir = path.join(FIXTURES, 'drizzle');
    await db.query(url, `CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
      INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('0000000000000000', 1704110400000), ('${'f'.repeat(64)}', 1704196800000);`);
    const report = await runAdopt({ ...settings(url, dir), from: 'drizzle', dryRun: true });
    expect(report.adopted.map((a) => [a.version, a.matchedBy])).toEqual([
      ['0000', 'journal timestamp'],
      ['0001', 'journal timestamp'],
    ]);
    expect(report.notes[0]).toMatch(/0000_bright_wolverine\.sql: changed since drizzle applied it/);
  });

  it('through the CLI: JSON report, and a table of another tool refused with exit 2', async () => {
    const url = await db.createDatabase('cli');
    const dir = path.join(FIXTURES, 'dbmate');
    await db.query(url, `CREATE TABLE schema_migrations (version character varying(128) NOT NULL PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101120000');`);
    const wrong = await runCli(['adopt', '--from', 'golang-migrate', '--dir', dir, '--database-url', url]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/public\.schema_migrations has no column "dirty": it is not golang-migrate's table/);
    const missing = await runCli(['adopt', '--from', 'flyway', '--dir', dir, '--database-url', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/public\.flyway_schema_history: table not found/);
    const result = await runCli(['adopt', '--from', 'dbmate', '--dir', dir, '--database-url', url, '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ from: 'dbmate', table: 'public.schema_migrations', dryRun: false, pending: ['20240102120000', '20240103120000'] });
    expect(report.adopted.map((a: { version: string }) => a.version)).toEqual(['20240101120000']);
    const text = await runCli(['adopt', '--from', 'dbmate', '--dir', dir, '--database-url', url]);
    expect(text.stdout).toMatch(/Adopted 0 migration\(s\) from dbmate[\s\S]*Already recorded by ddlgate: 20240101120000[\s\S]*Left for ddlgate up: 20240102120000, 20240103120000/);
  });
});
