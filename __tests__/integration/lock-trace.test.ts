import { runDryRun, type DryRunReport } from '../../src/db/dry-run.js';
import { createLockTrace } from '../../src/db/lock-trace.js';
import { loadParser } from '../../src/sql/parser.js';
import { renderDryRunMarkdown } from '../../src/report/dry-run-markdown.js';
import { catalogFingerprint, removeDir, runCli, tempDir, testMajor, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

beforeAll(async () => {
  await loadParser();
});

/** One database with a 100,000-row table, shared by the tests below (a dry-run changes nothing). */
let url: string;
beforeAll(async () => {
  url = await db.createDatabase('trace');
  await db.query(url, `CREATE TABLE accounts (id int PRIMARY KEY, email text, balance int);
    INSERT INTO accounts SELECT g, 'user' || g || '@example.com', g FROM generate_series(1, 100000) g;
    CREATE TABLE owners (id int PRIMARY KEY);
    ANALYZE accounts;`);
}, 120_000);

const settings = (dir: string) => ({
  databaseUrl: url,
  dir,
  schema: 'ddlgate',
  lockTimeoutMs: 5000,
  statementTimeoutMs: 60_000,
  lockWaitMs: 5000,
  lockRetries: 0,
  log: () => {},
});

async function trace(files: Record<string, string>): Promise<DryRunReport> {
  const dir = tempDir(files);
  try {
    return await runDryRun({ ...settings(dir), observer: createLockTrace({ schema: 'ddlgate' }) });
  } finally {
    removeDir(dir);
  }
}

const flagKinds = (statement: any) => (statement.flags ?? []).map((f: any) => f.kind);

describe('lock trace (real PostgreSQL)', () => {
  it('reports ACCESS EXCLUSIVE and a rewrite with the row estimate for ALTER COLUMN TYPE; ADD COLUMN without rewrite; CREATE INDEX as SHARE; nothing persists', async () => {
    const before = await catalogFingerprint(url);
    const report = await trace({
      '1_alter.up.sql': 'ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;\n',
      '2_add.up.sql': 'ALTER TABLE accounts ADD COLUMN x int;\n',
      '3_index.up.sql': '\n\nCREATE INDEX accounts_email_idx ON accounts (email);\n',
    });
    expect(report.ok).toBe(true);
    const [alter, add, index] = report.migrations.map((m) => m.statements[0]!);

    expect(alter!.locks).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'public.accounts', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'], preExisting: true })]));
    expect(alter!.rewrites).toContain('public.accounts');
    const rewrite = (alter!.flags as any[]).find((f) => f.kind === 'rewrite');
    expect(rewrite.rows).toBeGreaterThan(90_000);
    expect(rewrite.rows).toBeLessThan(110_000);
    expect(rewrite.sizeBytes).toBeGreaterThan(1_000_000);
    expect(rewrite.message).toMatch(/rewrites public\.accounts \(~\d{2,3},\d{3} rows, [\d.]+ MB\)/);
    expect(flagKinds(alter)).toContain('access-exclusive');
    expect(alter!.touched).toEqual([expect.objectContaining({ relation: 'public.accounts' })]);

    // The earlier migration of this dry-run still holds the lock (one transaction): inferred from the statement.
    expect(add!.locks).toEqual([expect.objectContaining({ relation: 'public.accounts', mode: 'AccessExclusiveLock', inferred: true })]);
    expect(add!.rewrites).toEqual([]);
    expect(flagKinds(add)).toEqual(['access-exclusive']);

    expect(index!.line).toBe(3);
    expect(index!.locks).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'public.accounts', mode: 'ShareLock', blocks: ['writes'], preExisting: true })]));
    expect(index!.locks.find((l: any) => l.relation === 'public.accounts_email_idx')).toMatchObject({ preExisting: false });
    expect(flagKinds(index)).toEqual(['share-lock']);
    expect(index!.rewrites).toEqual([]);

    expect(await catalogFingerprint(url)).toBe(before);
  });

  it('does not flag a table created in the same migration, flags a lock held over later statements, and an unindexed foreign key', async () => {
    const report = await trace({
      '1_mixed.up.sql': [
        'CREATE TABLE invoices (id int PRIMARY KEY, owner_id int REFERENCES owners (id), total int);',
        'ALTER TABLE invoices ALTER COLUMN total TYPE bigint;',
        'CREATE INDEX invoices_total_idx ON invoices (total);',
        'ALTER TABLE accounts ADD COLUMN note text;',
        'UPDATE owners SET id = id;',
      ].join('\n'),
    });
    expect(report.ok).toBe(true);
    const [create, alterNew, indexNew, alterOld, update] = report.migrations[0]!.statements;
    // Only pre-existing relations are flagged: the new invoices table never is.
    for (const statement of [create, alterNew, indexNew]) {
      expect((statement!.flags as any[]).filter((f) => f.relation !== 'public.owners')).toEqual([]);
      expect(statement!.rewrites).toEqual([]);
    }
    expect(flagKinds(alterNew)).toEqual([]);
    expect(flagKinds(indexNew)).toEqual([]);
    // REFERENCES owners takes SHARE ROW EXCLUSIVE on the pre-existing owners table, held to the end.
    expect(create!.locks).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'public.owners', mode: 'ShareRowExclusiveLock', preExisting: true })]));
    expect(create!.locks.find((l: any) => l.relation === 'public.invoices')).toMatchObject({ preExisting: false });
    expect(flagKinds(alterOld)).toEqual(['access-exclusive', 'lock-held']);
    expect((alterOld!.flags as any[])[1].message).toMatch(/stays held while 1 later statement\(s\) run \(lines 5–5/);
    expect(flagKinds(update)).toEqual([]);
    const fk = (report.flags as any[]).find((f) => f.kind === 'fk-without-index');
    expect(fk).toMatchObject({ relation: 'public.invoices', columns: ['owner_id'], references: 'owners' });
    expect(report.unindexedForeignKeys).toHaveLength(1);
  });

  it('flags a pre-existing table touched while lock_timeout is 0, and reports a dropped table under its name', async () => {
    const report = await trace({
      '1_risky.up.sql': "SET lock_timeout = 0;\nALTER TABLE owners ADD COLUMN y int;\n",
      '2_drop.up.sql': 'DROP TABLE owners CASCADE;\n',
    });
    expect(report.ok).toBe(true);
    const [, alter] = report.migrations[0]!.statements;
    expect(flagKinds(alter)).toEqual(['access-exclusive', 'no-lock-timeout']);
    // The table is gone from pg_class once dropped: its name comes from the snapshot taken at begin.
    const drop = report.migrations[1]!.statements[0]!;
    expect(drop.locks).toEqual([
      expect.objectContaining({ relation: 'public.owners', mode: 'AccessExclusiveLock', preExisting: true, kind: 'table', inferred: true }),
      expect.objectContaining({ relation: 'public.owners_pkey', mode: 'AccessExclusiveLock', preExisting: true, kind: 'index' }),
    ]);
    expect(flagKinds(drop)).toContain('access-exclusive');
    expect(await db.query(url, `SELECT to_regclass('public.owners') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
  });

  it('reports CREATE INDEX CONCURRENTLY with the lock the real run takes', async () => {
    const report = await trace({ '1_conc.up.sql': 'CREATE INDEX CONCURRENTLY accounts_balance_idx ON accounts (balance);\n' });
    const statement = report.migrations[0]!.statements[0]!;
    expect(statement.locks).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'public.accounts', mode: 'ShareUpdateExclusiveLock', observedMode: 'ShareLock', blocks: [] })]));
    expect(flagKinds(statement)).toEqual([]);
  });

  it('renders the trace through the CLI as JSON and markdown', async () => {
    const dir = tempDir({ '1_alter.up.sql': '-- widen\nALTER TABLE accounts ALTER COLUMN id TYPE bigint;\n' });
    try {
      const env = { DATABASE_URL: url, POSTGRES_URL: undefined };
      const json = await runCli(['dry-run', '--dir', dir, '--format', 'json'], { env });
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout);
      const statement = parsed.migrations[0].statements[0];
      expect(statement.line).toBe(2);
      expect(statement.locks[0]).toMatchObject({ relation: 'public.accounts', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'] });
      expect(statement.rewrites).toEqual(expect.arrayContaining(['public.accounts']));
      const markdown = await runCli(['dry-run', '--dir', dir, '--format', 'markdown'], { env });
      expect(markdown.code).toBe(0);
      expect(markdown.stdout).toContain('| Line | Statement | Locks | Rewrites | Flags |');
      expect(markdown.stdout).toMatch(/\| 2 \| `ALTER TABLE accounts ALTER COLUMN id TYPE bigint` \| ACCESS EXCLUSIVE on `public\.accounts`/);
      const text = await runCli(['dry-run', '--dir', dir], { env });
      expect(text.stdout).toMatch(/! rewrites public\.accounts/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('ephemeral dry-run', () => {
  it('needs no database: replays up to --replay-to on a throwaway server and traces each pending migration on its own', async () => {
    const dir = tempDir({
      '1_base.up.sql': 'CREATE TABLE items (id int PRIMARY KEY, price int);\n',
      '2_widen.up.sql': 'ALTER TABLE items ALTER COLUMN price TYPE bigint;\n',
      '3_more.up.sql': 'ALTER TABLE items ADD COLUMN note text;\n',
    });
    try {
      const server = testMajor() === 15 ? '15' : 'embedded';
      const result = await runCli(['dry-run', '--dir', dir, '--replay-to', '1', '--ephemeral-server', server, '--format', 'json'], { env: { DATABASE_URL: undefined, POSTGRES_URL: undefined } });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.ephemeral).toMatchObject({ server: `PostgreSQL ${testMajor()}`, replayedThrough: '1' });
      expect(report.migrations.map((m: any) => m.version)).toEqual(['2', '3']);
      // The table is rewritten, and its primary key index rebuilt with it.
      expect(report.migrations[0].statements[0].rewrites).toEqual(['public.items', 'public.items_pkey']);
      // Migration 3 starts with no lock held, as in production: its lock is observed, not inferred.
      expect(report.migrations[1].statements[0].locks).toEqual([expect.objectContaining({ relation: 'public.items', mode: 'AccessExclusiveLock', preExisting: true })]);
      expect(report.migrations[1].statements[0].locks[0].inferred).toBeUndefined();
    } finally {
      removeDir(dir);
    }
  });
});

describe('markdown of a live report', () => {
  it('is a table per migration', async () => {
    const report = await trace({ '1_a.up.sql': 'ALTER TABLE accounts ADD COLUMN z int;\n', '2_b.up.sql': 'SELECT 1;\n' });
    const md = renderDryRunMarkdown(report);
    expect(md.match(/\| Line \| Statement/g)).toHaveLength(2);
  });
});
