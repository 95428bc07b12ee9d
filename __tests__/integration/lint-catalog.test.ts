/**
 * Lint with a database at hand: the real catalog is the source of truth for pending migrations
 * (`lint --database-url`), and the dry-run confirms or contradicts lock and rewrite findings.
 */
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const HISTORY = {
  'migrations/0001_users.up.sql': 'CREATE TABLE users (id bigint, email text, nid uuid, country varchar(20));\nCREATE TABLE accounts (id bigint, code text NOT NULL);\n',
  'migrations/0002_check.up.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n',
  'migrations/0003_validate.up.sql': 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n',
  'migrations/0004_index.up.sql': '-- ddlgate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY accounts_id_idx ON accounts (id);\nCREATE UNIQUE INDEX CONCURRENTLY accounts_code_idx ON accounts (code);\n',
};

async function applied(files: Record<string, string>, to: string): Promise<{ dir: string; url: string }> {
  const url = await db.createDatabase('lintcat');
  const dir = tempDir(files);
  const up = await runCli(['up', '--database-url', url, '--to', to], { cwd: dir });
  expect(up.stderr).not.toMatch(/error/i);
  expect(up.code).toBe(0);
  return { dir, url };
}

async function lintJson(dir: string, url: string, extra: string[] = []) {
  const result = await runCli(['lint', '--format', 'json', '--database-url', url, ...extra], { cwd: dir });
  expect(result.stderr).toBe('');
  return { code: result.code, json: JSON.parse(result.stdout) };
}

const findingsOf = (json: any, file: string) => json.files.find((f: any) => f.path.endsWith(file))?.findings ?? [];

describe('lint --database-url: the catalog decides for pending migrations', () => {
  test('the four cross-migration cases, judged against the real catalog', async () => {
    const { dir, url } = await applied(
      {
        ...HISTORY,
        'migrations/0005_change.up.sql': [
          'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
          'ALTER TABLE users ALTER COLUMN nid TYPE uuid;',
          'DROP INDEX IF EXISTS users_never_idx;',
          'ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;',
          'ALTER TABLE accounts ADD CONSTRAINT accounts_code_key UNIQUE USING INDEX accounts_code_idx;',
          '',
        ].join('\n'),
      },
      '0004',
    );
    try {
      const { code, json } = await lintJson(dir, url);
      expect(findingsOf(json, '0005_change.up.sql').map((f: any) => [f.rule, f.severity, f.line])).toEqual([['primary-key-nullable-columns', 'error', 4]]);
      expect(code).toBe(1);
    } finally {
      removeDir(dir);
    }
  });

  test('a table created by a pending migration is new in the next one; the catalog wins over the history when they disagree', async () => {
    const { dir, url } = await applied(
      {
        ...HISTORY,
        'migrations/0005_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
        'migrations/0006_orders_index.up.sql': 'CREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE users ALTER COLUMN country TYPE varchar(30);\n',
      },
      '0004',
    );
    try {
      // Someone changed the column by hand in production: it is text now, so varchar(30) is a real rewrite.
      await db.query(url, 'ALTER TABLE users ALTER COLUMN country TYPE text');
      const { json } = await lintJson(dir, url);
      expect(findingsOf(json, '0005_orders.up.sql')).toEqual([]);
      const findings = findingsOf(json, '0006_orders_index.up.sql');
      expect(findings.map((f: any) => [f.rule, f.line])).toEqual([['change-column-type', 2]]);
      expect(findings[0].message).toContain('text → varchar(30)');
      // Offline, the history says varchar(20) → varchar(30): no rewrite.
      const offline = await runCli(['lint', '--format', 'json'], { cwd: dir });
      expect(findingsOf(JSON.parse(offline.stdout), '0006_orders_index.up.sql').map((f: any) => f.rule)).toEqual(['create-index-not-concurrently']);
    } finally {
      removeDir(dir);
    }
  });
});

describe('view columns from the catalog', () => {
  test('a column a view uses cannot be dropped or retyped: lint --database-url says so, and PostgreSQL refuses exactly those', async () => {
    const files = {
      'migrations/0001_base.up.sql': [
        'CREATE TABLE users (id bigint PRIMARY KEY, email text, country varchar(20), note text);',
        'CREATE VIEW user_emails AS SELECT id, email FROM users;',
        'CREATE MATERIALIZED VIEW by_country AS SELECT country, count(*) AS n FROM users GROUP BY country;',
        '',
      ].join('\n'),
      'migrations/0002_email.up.sql': 'ALTER TABLE users DROP COLUMN email;\n',
      'migrations/0003_country.up.sql': 'ALTER TABLE users ALTER COLUMN country TYPE varchar(40);\n',
      'migrations/0004_note.up.sql': 'ALTER TABLE users ALTER COLUMN note TYPE varchar(200);\n',
    };
    const { dir, url } = await applied(files, '0001');
    try {
      const { json } = await lintJson(dir, url);
      const fails = (file: string) => findingsOf(json, file).filter((f: any) => f.rule === 'statement-fails').map((f: any) => f.message);
      expect(fails('0002_email.up.sql')).toEqual(['column email of users is used by view public.user_emails: PostgreSQL rejects DROP COLUMN without CASCADE (and CASCADE drops the view too)']);
      expect(fails('0003_country.up.sql')).toEqual([expect.stringContaining('column country of users is used by materialized view public.by_country: PostgreSQL rejects changing its type')]);
      expect(fails('0004_note.up.sql')).toEqual([]);
      // The views' own columns come from the catalog too.
      const { loadCatalogSchema } = await import('../../src/lint/catalog.js');
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const model = await loadCatalogSchema(client);
        expect([...model.table({ name: 'by_country' })!.columns.keys()]).toEqual(['country', 'n']);
        expect(model.viewsUsing({ name: 'users' }, 'id').map((v) => v.ref.name)).toEqual(['user_emails']);
      } finally {
        await client.end();
      }
      // PostgreSQL agrees: the two flagged migrations fail, the third applies.
      await expect(db.query(url, files['migrations/0002_email.up.sql'])).rejects.toThrow(/other objects depend on it/);
      await expect(db.query(url, files['migrations/0003_country.up.sql'])).rejects.toThrow(/used by a view or rule/);
      await expect(db.query(url, files['migrations/0004_note.up.sql'])).resolves.toBeDefined();
    } finally {
      removeDir(dir);
    }
  });
});

describe('dry-run evidence on lint findings', () => {
  test('a rewrite is confirmed, a predicted rewrite PostgreSQL skips is contradicted and downgraded, an unpredicted rewrite becomes a finding', async () => {
    const files = {
      'migrations/0001_base.up.sql': [
        'CREATE DOMAIN plain_text AS text;',
        'CREATE TABLE items (id int, qty int, label text, note text);',
        'INSERT INTO items SELECT g, g, g::text, g::text FROM generate_series(1, 1000) g;',
        // A function whose body ddlgate cannot see from the migration that calls it.
        "CREATE FUNCTION widen_note() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER TABLE items ALTER COLUMN note TYPE varchar(10) USING left(note, 10)'; END $$;",
        '',
      ].join('\n'),
      'migrations/0002_change.up.sql': ['ALTER TABLE items ALTER COLUMN qty TYPE bigint;', 'ALTER TABLE items ALTER COLUMN label TYPE plain_text;', 'SELECT widen_note();', ''].join('\n'),
    };
    const { dir, url } = await applied(files, '0001');
    try {
      const result = await runCli(['dry-run', '--format', 'json', '--database-url', url], { cwd: dir });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      const findings = report.lint.files[0].findings;
      const byLine = (line: number) => findings.filter((f: any) => f.line === line);
      expect(byLine(1)).toEqual([expect.objectContaining({ rule: 'change-column-type', severity: 'error', evidence: { status: 'confirmed', observed: expect.stringContaining('rewrote public.items'), mode: 'AccessExclusiveLock', rewrote: true } })]);
      expect(byLine(2)).toEqual([expect.objectContaining({ rule: 'change-column-type', severity: 'warning', evidence: { status: 'contradicted', observed: expect.stringContaining('no rewrite of public.items'), mode: 'AccessExclusiveLock', rewrote: false } })]);
      expect(byLine(3)).toEqual([expect.objectContaining({ rule: 'dry-run-observed', severity: 'error', evidence: expect.objectContaining({ status: 'confirmed' }), table: 'public.items' })]);
      // The markdown report marks each finding with the dry-run's verdict and what PostgreSQL did.
      const markdown = await runCli(['dry-run', '--format', 'markdown', '--database-url', url], { cwd: dir });
      expect(markdown.code).toBe(0);
      // Markdown escapes removed: the words as GitHub shows them.
      const items = markdown.stdout.split('\n').filter((l: string) => l.startsWith('- ')).map((l: string) => l.replace(/\\(?=[()|*_\\-])/g, ''));
      expect(items.find((l: string) => l.includes('line 1 —'))).toMatch(/`change-column-type` line 1 — .*<br>✔️ \*\*confirmed by the dry-run\*\* — ACCESS EXCLUSIVE lock, table rewritten \(new relfilenode\): rewrote public\.items/);
      expect(items.find((l: string) => l.includes('line 2 —'))).toMatch(/^- ⚠️ `change-column-type` line 2 — .*<br>✖️ \*\*contradicted by the dry-run\*\* \(downgraded\) — ACCESS EXCLUSIVE lock, no rewrite: no rewrite of public\.items/);
      expect(items.find((l: string) => l.includes('line 3 —'))).toMatch(/^- 🛑 `dry-run-observed` line 3 — .*confirmed by the dry-run/);
      // Nothing of the dry-run persisted.
      expect(await db.query(url, "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname IN ('qty', 'label', 'note') ORDER BY attname")).toEqual([{ t: 'text' }, { t: 'text' }, { t: 'integer' }]);
    } finally {
      removeDir(dir);
    }
  });
});
