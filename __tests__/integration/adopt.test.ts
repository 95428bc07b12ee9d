/**
 * `ddlgate adopt`: each tool's tracking table is recreated in SQL exactly as the tool creates it, with the
 * first two fixture migrations applied; adopt records those two (never touching the tool's table) and a
 * following `up` applies only the truly new third one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../../src/errors.js';
import { getStatus } from '../../src/db/status-query.js';
import { runUp, type RunnerSettings } from '../../src/db/up.js';
import { runAdopt, type AdoptSource } from '../../src/ops/adopt/run.js';
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
  /** Notes the report must carry (none when absent). */
  notes?: RegExp[];
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

const base = (file: string) => path.basename(file);
const folder = (e: MigrationEntry) => path.basename(path.dirname(e.upPath));
const sha1 = (file: string) => createHash('sha1').update(readFileSync(file)).digest('hex');

/** goose's table as goose v3 creates it on PostgreSQL, with its version-0 starting row. */
const GOOSE_DDL = `CREATE TABLE goose_db_version (id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now());
  INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);`;

const PRISMA_DDL = `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);`;
const prismaRow = (e: MigrationEntry, finished: string, rolledBack = 'NULL') =>
  `(gen_random_uuid()::text, '${sha256(e.upPath)}', ${finished}, '${folder(e)}', NULL, ${rolledBack}, now(), 1)`;

/** sqitch's registry (schema `sqitch`) as sqitch's pg engine lays it out: the tables adopt reads and the ones they reference. */
const SQITCH_DDL = `CREATE SCHEMA sqitch;
  CREATE TABLE sqitch.releases (version real PRIMARY KEY, installed_at timestamptz NOT NULL DEFAULT clock_timestamp(), installer_name text NOT NULL, installer_email text NOT NULL);
  CREATE TABLE sqitch.projects (project text PRIMARY KEY, uri text NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT clock_timestamp(), creator_name text NOT NULL, creator_email text NOT NULL);
  CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, script_hash text NULL, change text NOT NULL, project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(), committer_name text NOT NULL, committer_email text NOT NULL,
    planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL, UNIQUE (project, script_hash));
  CREATE TABLE sqitch.tags (tag_id text PRIMARY KEY, tag text NOT NULL, project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    change_id text NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE, note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    committer_name text NOT NULL, committer_email text NOT NULL, planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL, UNIQUE (project, tag));
  CREATE TABLE sqitch.events (event text NOT NULL CHECK (event IN ('deploy', 'revert', 'fail', 'merge')), change_id text NOT NULL, change text NOT NULL,
    project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, note text NOT NULL DEFAULT '', requires text[] NOT NULL DEFAULT '{}', conflicts text[] NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(), committer_name text NOT NULL, committer_email text NOT NULL,
    planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL, PRIMARY KEY (change_id, committed_at));
  INSERT INTO sqitch.releases VALUES (1.1, now(), 'Ada Lovelace', 'ada@example.com');
  INSERT INTO sqitch.projects VALUES ('shop', 'https://example.com/shop', now(), 'Ada Lovelace', 'ada@example.com');`;
const sqitchChange = (id: string, e: MigrationEntry, at: string) =>
  `INSERT INTO sqitch.changes VALUES ('${id}', '${sha1(e.upPath)}', '${e.name}', 'shop', '', '${at}', 'Ada Lovelace', 'ada@example.com', '${at}', 'Ada Lovelace', 'ada@example.com');`;
const sqitchEvent = (event: string, id: string, name: string, at: string) =>
  `INSERT INTO sqitch.events (event, change_id, change, project, committed_at, committer_name, committer_email, planned_at, planner_name, planner_email) VALUES ('${event}', '${id}', '${name}', 'shop', '${at}', 'Ada Lovelace', 'ada@example.com', '${at}', 'Ada Lovelace', 'ada@example.com');`;

const HASURA_DDL = `CREATE SCHEMA hdb_catalog; CREATE TABLE hdb_catalog.schema_migrations (version bigint not null primary key, dirty boolean not null);`;

/** graphile-migrate's own schema; the hash is the committed file's `--! Hash:` header, as graphile-migrate records it. */
const GRAPHILE_DDL = `CREATE SCHEMA graphile_migrate;
  CREATE TABLE graphile_migrate.migrations (hash text primary key, previous_hash text references graphile_migrate.migrations, filename text not null, date timestamptz not null default now());
  CREATE TABLE graphile_migrate.current (filename text primary key default 'current.sql', content text not null, date timestamptz not null default now());`;
const graphileHeader = (e: MigrationEntry, line: number) => readFileSync(e.upPath, 'utf8').split('\n')[line]!.replace(/^--! (Previous|Hash): /, '').trim();
const graphilePrevious = (e: MigrationEntry) => (graphileHeader(e, 0) === '-' ? 'NULL' : `'${graphileHeader(e, 0)}'`);

const NEW_TOOL_CASES: Case[] = [
  {
    from: 'goose',
    fixture: 'goose',
    layout: 'goose',
    table: 'public.goose_db_version',
    // The third migration was applied and rolled back by an older goose (a later is_applied = false row): not applied.
    shape: (e) => `${GOOSE_DDL}
      INSERT INTO goose_db_version (version_id, is_applied) VALUES (${e[0]!.version}, true), (${e[1]!.version}, true), (${e[2]!.version}, true), (${e[2]!.version}, false);`,
  },
  {
    from: 'sql-migrate',
    fixture: 'sql-migrate',
    layout: 'sql-migrate',
    table: 'public.gorp_migrations',
    shape: (e) => `CREATE TABLE gorp_migrations (id varchar(255) NOT NULL PRIMARY KEY, applied_at timestamp with time zone NULL);
      INSERT INTO gorp_migrations VALUES ('${base(e[0]!.upPath)}', '2024-01-01 12:00:00+00'), ('${base(e[1]!.upPath)}', '2024-01-02 12:00:00+00');`,
  },
  {
    from: 'diesel',
    fixture: 'diesel',
    layout: 'diesel',
    table: 'public.__diesel_schema_migrations',
    shape: () => `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240101120000');`,
  },
  {
    from: 'prisma',
    fixture: 'prisma',
    layout: 'prisma',
    table: 'public._prisma_migrations',
    // The second migration failed once, was marked rolled back (prisma migrate resolve --rolled-back), then applied.
    shape: (e) => `${PRISMA_DDL}
      INSERT INTO _prisma_migrations VALUES ${prismaRow(e[0]!, 'now()')}, ${prismaRow(e[1]!, 'NULL', 'now()')}, ${prismaRow(e[1]!, 'now()')};`,
    broken: {
      shape: (e) => `${PRISMA_DDL} INSERT INTO _prisma_migrations VALUES ${prismaRow(e[0]!, 'now()')}, ${prismaRow(e[1]!, 'NULL')};`,
      message: /prisma migration 20240102120000_add_users_email_index failed .*`prisma migrate resolve --rolled-back 20240102120000_add_users_email_index`/,
    },
  },
  {
    from: 'supabase',
    fixture: 'supabase',
    layout: 'supabase',
    table: 'supabase_migrations.schema_migrations',
    shape: (e) => `CREATE SCHEMA IF NOT EXISTS supabase_migrations;
      CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
      ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
      ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
      INSERT INTO supabase_migrations.schema_migrations VALUES ('${e[0]!.version}', ARRAY['create table users ...'], '${e[0]!.name}'), ('${e[1]!.version}', ARRAY['create index ...'], '${e[1]!.name}');`,
  },
  {
    from: 'sqitch',
    fixture: 'sqitch',
    layout: 'sqitch',
    table: 'sqitch.changes',
    // orders was tried once and failed: only a `fail` event remains, and it is left for up with a note.
    shape: (e) => `${SQITCH_DDL}
      ${sqitchChange('c1', e[0]!, '2024-01-01 12:00:00+00')} ${sqitchChange('c2', e[1]!, '2024-01-02 12:00:00+00')}
      INSERT INTO sqitch.tags VALUES ('t1', 'v1.0', 'shop', 'c2', '', now(), 'Ada Lovelace', 'ada@example.com', now(), 'Ada Lovelace', 'ada@example.com');
      ${sqitchEvent('deploy', 'c1', 'users', '2024-01-01 12:00:00+00')} ${sqitchEvent('deploy', 'c2', 'users_email_index', '2024-01-02 12:00:00+00')} ${sqitchEvent('fail', 'c3', 'orders', '2024-01-03 12:00:00+00')}`,
    notes: [/sqitch's last deploy of shop:orders failed .* left for ddlgate up/],
  },
  {
    from: 'popx',
    fixture: 'popx',
    layout: 'popx',
    table: 'public.schema_migration',
    // popx also records the empty placeholder 20240102000000000001 it ran.
    shape: (e) => `CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
      CREATE INDEX schema_migration_version_self_idx ON schema_migration (version_self);
      INSERT INTO schema_migration (version) VALUES ('${e[0]!.version}'), ('${e[1]!.version}'), ('20240102000000000001');`,
    notes: [/20240102000000000001 are placeholder or other-database files/],
  },
  {
    from: 'graphile-migrate',
    fixture: 'graphile-migrate',
    layout: 'graphile-migrate',
    table: 'graphile_migrate.migrations',
    shape: (e) => `${GRAPHILE_DDL}
      INSERT INTO graphile_migrate.migrations (hash, previous_hash, filename) VALUES ('${graphileHeader(e[0]!, 1)}', ${graphilePrevious(e[0]!)}, '${base(e[0]!.upPath)}'), ('${graphileHeader(e[1]!, 1)}', ${graphilePrevious(e[1]!)}, '${base(e[1]!.upPath)}');`,
  },
  {
    from: 'hasura',
    fixture: 'hasura',
    layout: 'hasura',
    table: 'hdb_catalog.schema_migrations',
    shape: (e) => `${HASURA_DDL} INSERT INTO hdb_catalog.schema_migrations VALUES (${e[0]!.version}, false), (${e[1]!.version}, false);`,
    broken: {
      shape: (e) => `${HASURA_DDL} INSERT INTO hdb_catalog.schema_migrations VALUES (${e[0]!.version}, false), (${e[1]!.version}, true);`,
      message: /hasura migration 1704196800000 is dirty .*`hasura migrate delete --version 1704196800000 --server`/,
    },
  },
];
CASES.push(...NEW_TOOL_CASES);

/** Plays the other tool: the first two migrations' SQL runs, their record is left to the tool's table. */
async function databaseMigratedByTool(c: Case, entries: MigrationEntry[]): Promise<string> {
  const url = await db.createDatabase(c.from);
  const dir = path.join(FIXTURES, c.fixture);
  await runUp({ ...settings(url, dir, c.layout, 'tool_sim'), to: entries[1]!.version });
  await db.query(url, 'DROP SCHEMA tool_sim CASCADE');
  return url;
}

/** The tool's table, row by row as text, in physical order: adopt must leave it byte-identical. */
const snapshot = async (url: string, table: string) => JSON.stringify(await db.query(url, `SELECT ctid::text, t::text FROM ${table} t ORDER BY ctid`));

describe.each(CASES)('adopt --from $from', (c) => {
  const dir = path.join(FIXTURES, c.fixture);
  const entries = discoverMigrations(dir, c.layout ? { layout: c.layout } : {});
  const later = entries.slice(2).map((e) => e.version);

  it('records what the tool applied, leaves its table alone, and up applies only the new migration', async () => {
    const url = await databaseMigratedByTool(c, entries);
    await db.query(url, c.shape(entries));
    const before = await snapshot(url, c.table);

    const report = await runAdopt({ ...settings(url, dir, c.layout), from: c.from });
    expect(report.adopted.map((a) => a.version)).toEqual([entries[0]!.version, entries[1]!.version]);
    expect(report.pending).toEqual(later);
    expect(report.withoutFile).toEqual([]);
    expect(report.unrecorded).toEqual([]);
    expect(report.notes).toHaveLength(c.notes?.length ?? 0);
    c.notes?.forEach((note, index) => expect(report.notes[index]).toMatch(note));
    expect(await snapshot(url, c.table)).toBe(before);

    const status = await getStatus(settings(url, dir, c.layout));
    expect(status.map((item) => [item.version, item.state])).toEqual(entries.map((e, index) => [e.version, index < 2 ? 'applied' : 'pending']));

    const history = await db.query(url, `SELECT version, action, details->>'adoptedFrom' AS source FROM ddlgate.migration_history ORDER BY id`);
    expect(history).toEqual([
      { version: entries[0]!.version, action: 'baseline', source: c.from },
      { version: entries[1]!.version, action: 'baseline', source: c.from },
    ]);

    const up = await runUp(settings(url, dir, c.layout));
    expect(up.applied.map((m) => m.version)).toEqual(later);
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
