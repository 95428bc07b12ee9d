/**
 * The schema model: lint judges each migration against what the earlier migrations of its directory built.
 * The four cross-migration cases of issue 15, on real directories of several migrations, offline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintFiles, lintMigrationsDir, lintSource } from '../../src/lint/index.js';
import { defGetBoolean } from '../../src/sql/options.js';
import { parseRaw } from '../../src/sql/parser.js';
import { columnTypeOf } from '../../src/lint/schema.js';
import { typeChangeVerdict } from '../../src/lint/type-change.js';

beforeAll(async () => {
  await loadParser();
});

function dir(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-schema-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return root;
}

function findingsOf(result: ReturnType<typeof lintMigrationsDir>, file: string) {
  return result.files.find((f) => f.path.endsWith(file))?.findings ?? [];
}

const BASE = {
  '0001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text, nid uuid, country varchar(20));\n',
};

describe('cross-migration cases (offline, from the directory)', () => {
  test('SET NOT NULL after an earlier migration added and validated CHECK (col IS NOT NULL): no finding; without the VALIDATE: blocked', () => {
    const validated = dir({
      ...BASE,
      '0002_check.up.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n',
      '0003_validate.up.sql': 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n',
      '0004_not_null.up.sql': 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_nn;\n',
    });
    expect(findingsOf(lintMigrationsDir(validated), '0004_not_null.up.sql')).toEqual([]);
    const notValidated = dir({
      ...BASE,
      '0002_check.up.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n',
      '0004_not_null.up.sql': 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    });
    expect(findingsOf(lintMigrationsDir(notValidated), '0004_not_null.up.sql')).toEqual([expect.objectContaining({ rule: 'set-not-null', severity: 'error' })]);
  });

  test('ALTER COLUMN … TYPE to the type the column already has is no rewrite; a real narrowing is, with the typmods in the message', () => {
    const result = lintMigrationsDir(dir({ ...BASE, '0002_types.up.sql': 'ALTER TABLE users ALTER COLUMN nid TYPE uuid;\nALTER TABLE users ALTER COLUMN country TYPE varchar(40);\nALTER TABLE users ALTER COLUMN country TYPE varchar(19);\n' }));
    const findings = findingsOf(result, '0002_types.up.sql');
    expect(findings).toEqual([expect.objectContaining({ rule: 'change-column-type', severity: 'error', line: 3 })]);
    expect(findings[0]!.message).toContain('varchar(40) → varchar(19)');
  });

  test('DROP INDEX IF EXISTS of an index no earlier migration created: no finding; of one that exists: blocked', () => {
    const result = lintMigrationsDir(
      dir({
        ...BASE,
        '0002_index.up.sql': '-- ddlgate:no-transaction\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
        '0003_drop.up.sql': 'DROP INDEX IF EXISTS users_never_idx;\nDROP INDEX IF EXISTS users_email_idx;\n',
      }),
    );
    expect(findingsOf(result, '0003_drop.up.sql')).toEqual([expect.objectContaining({ rule: 'drop-index-not-concurrently', line: 2 })]);
  });

  test('ADD PRIMARY KEY USING INDEX on a nullable column is a full scan: blocked; on NOT NULL columns: no finding', () => {
    const result = lintMigrationsDir(
      dir({
        '0001_accounts.up.sql': 'CREATE TABLE accounts (id bigint, code text NOT NULL);\n',
        '0002_index.up.sql': '-- ddlgate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY accounts_id_idx ON accounts (id);\nCREATE UNIQUE INDEX CONCURRENTLY accounts_code_idx ON accounts (code);\n',
        '0003_pk.up.sql': 'ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;\n',
        '0004_unique.up.sql': 'ALTER TABLE accounts ADD CONSTRAINT accounts_code_key PRIMARY KEY USING INDEX accounts_code_idx;\n',
      }),
    );
    expect(findingsOf(result, '0003_pk.up.sql')).toEqual([expect.objectContaining({ rule: 'primary-key-nullable-columns', severity: 'error', message: expect.stringContaining('id is nullable') })]);
    expect(findingsOf(result, '0004_unique.up.sql')).toEqual([]);
  });

  test('a table created by a pending migration counts as new in the next pending one; once applied, it is an existing table', () => {
    const root = dir({
      '0001_base.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '0002_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
      '0003_index.up.sql': 'CREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n',
    });
    // The change under review (the PR) is 0002 + 0003: orders does not exist in production yet.
    const pending = lintFiles([path.join(root, '0002_orders.up.sql'), path.join(root, '0003_index.up.sql')]);
    expect(pending.files.map((f) => f.findings)).toEqual([[], []]);
    // Only 0003 is new: orders was created by an applied migration and may be big and busy.
    const later = lintFiles([path.join(root, '0003_index.up.sql')]);
    expect(later.files[0]!.findings.map((f) => f.rule)).toEqual(['create-index-not-concurrently', 'foreign-key-without-not-valid']);
    // A whole directory without a database: every migration before the one linted is treated as applied.
    expect(findingsOf(lintMigrationsDir(root), '0003_index.up.sql').map((f) => f.rule)).toEqual(['create-index-not-concurrently', 'foreign-key-without-not-valid']);
  });

  test('ALTER DOMAIN ADD CONSTRAINT: blocked when an existing table uses the domain, not for a domain only new tables use', () => {
    const result = lintMigrationsDir(
      dir({
        '0001_domain.up.sql': 'CREATE DOMAIN amount AS numeric CHECK (VALUE IS NOT NULL);\nCREATE TABLE invoices (id bigint, total amount);\n',
        '0002_alter.up.sql': 'ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);\n',
      }),
    );
    expect(findingsOf(result, '0002_alter.up.sql')).toEqual([expect.objectContaining({ rule: 'alter-domain-constraint', message: expect.stringContaining('invoices.total'), table: 'public.invoices' })]);
    expect(lintSource('CREATE DOMAIN cents AS bigint;\nCREATE TABLE fees (c cents);\nALTER DOMAIN cents ADD CONSTRAINT cents_positive CHECK (VALUE >= 0);')).toEqual([]);
  });
});

describe('view columns (offline, from the directory)', () => {
  const VIEWS = {
    ...BASE,
    '0002_views.up.sql': [
      'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10,2), note text);',
      'CREATE VIEW user_emails (uid, mail) AS SELECT u.id, u.email FROM users u;',
      'CREATE MATERIALIZED VIEW order_totals AS SELECT o.user_id, sum(total) AS spent FROM orders o JOIN users ON users.id = o.user_id GROUP BY 1;',
      'CREATE VIEW everything AS SELECT * FROM orders;',
      '',
    ].join('\n'),
  };

  test('a view knows its output columns (aliases, names, types passed through, * expanded) and the table columns it uses', async () => {
    const { SchemaModel } = await import('../../src/lint/schema.js');
    const model = new SchemaModel({ complete: true });
    for (const text of Object.values(VIEWS)) for (const { stmt } of parseRaw(text).stmts) model.apply(stmt, { pending: false });
    const columns = (name: string) => [...model.table({ name })!.columns.values()].map((c) => `${c.name}:${c.type.name}`);
    expect(columns('user_emails')).toEqual(['uid:int8', 'mail:text']);
    expect(columns('order_totals')).toEqual(['user_id:int8', 'spent:unknown']);
    expect(columns('everything')).toEqual(['id:int8', 'user_id:int8', 'total:numeric', 'note:text']);
    expect(model.viewsUsing({ name: 'users' }, 'email').map((v) => v.ref.name)).toEqual(['user_emails']);
    expect(model.viewsUsing({ name: 'users' }, 'id').map((v) => v.ref.name).sort()).toEqual(['order_totals', 'user_emails']);
    expect(model.viewsUsing({ name: 'orders' }, 'total').map((v) => v.ref.name).sort()).toEqual(['everything', 'order_totals']);
    expect(model.viewsUsing({ name: 'users' }, 'country')).toEqual([]);
  });

  test('dropping (without CASCADE) or retyping a column a view uses fails in PostgreSQL: blocked; columns no view uses are judged as before', () => {
    const result = lintMigrationsDir(
      dir({
        ...VIEWS,
        '0003_change.up.sql': ['ALTER TABLE users DROP COLUMN email;', 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);', 'ALTER TABLE users DROP COLUMN country;', ''].join('\n'),
      }),
    );
    const fails = findingsOf(result, '0003_change.up.sql').filter((f) => f.rule === 'statement-fails');
    expect(fails.map((f) => [f.line, f.message])).toEqual([
      [1, 'column email of users is used by view user_emails: PostgreSQL rejects DROP COLUMN without CASCADE (and CASCADE drops the view too)'],
      [2, expect.stringMatching(/^column total of orders is used by materialized view order_totals, view everything|^column total of orders is used by view everything, materialized view order_totals/)],
    ]);
    expect(fails[1]!.message).toContain('PostgreSQL rejects changing its type');
  });

  test('CASCADE drops the view with the column (said in drop-column); renames are followed; a view dropped first frees the column', () => {
    const result = lintMigrationsDir(
      dir({
        ...VIEWS,
        '0003_rename.up.sql': 'ALTER TABLE users RENAME COLUMN email TO address;\nALTER TABLE users RENAME TO people;\n',
        '0004_change.up.sql': 'ALTER TABLE people DROP COLUMN address CASCADE;\nDROP VIEW everything;\nALTER TABLE orders ALTER COLUMN note TYPE varchar(100);\n',
      }),
    );
    const findings = findingsOf(result, '0004_change.up.sql');
    expect(findings.filter((f) => f.rule === 'statement-fails')).toEqual([]);
    expect(findings.find((f) => f.rule === 'drop-column')!.message).toBe('DROP COLUMN people.address: queries still using the column fail and its data is lost; CASCADE also drops view user_emails');
    // Without the rename being followed, the view would still point at users.email and nothing would be said.
    const renamedOnly = lintMigrationsDir(dir({ ...VIEWS, '0003_rename.up.sql': 'ALTER TABLE users RENAME COLUMN email TO address;\n', '0004_drop.up.sql': 'ALTER TABLE users DROP COLUMN address;\n' }));
    expect(findingsOf(renamedOnly, '0004_drop.up.sql').map((f) => f.rule)).toContain('statement-fails');
  });
});

describe("PostgreSQL's option semantics (defGetBoolean)", () => {
  const option = (sql: string) => parseRaw(sql).stmts[0]!.stmt.VacuumStmt.options[0].DefElem;
  test.each([
    ['VACUUM (FULL) t', true],
    ['VACUUM (FULL true) t', true],
    ['VACUUM (FULL on) t', true],
    ['VACUUM (FULL 1) t', true],
    ["VACUUM (FULL 'TRUE') t", true],
    ['VACUUM (FULL false) t', false],
    ['VACUUM (FULL FALSE) t', false],
    ['VACUUM (FULL off) t', false],
    ['VACUUM (FULL 0) t', false],
    ["VACUUM (FULL 'false') t", false],
    ["VACUUM (FULL E'false') t", false],
    ["VACUUM (FULL U&'off') t", false],
  ])('%s → %s', (sql, expected) => {
    expect(defGetBoolean(option(sql))).toBe(expected);
  });

  test('lint follows them: VACUUM (FULL off) passes, REINDEX (CONCURRENTLY false) is blocked', () => {
    expect(lintSource('VACUUM (FULL off) events;')).toEqual([]);
    expect(lintSource("REINDEX (CONCURRENTLY 'false') INDEX events_idx;").map((f) => f.rule)).toEqual(['reindex-not-concurrently']);
  });
});

describe('type change semantics', () => {
  const type = (sql: string) => columnTypeOf(parseRaw(`ALTER TABLE t ALTER c TYPE ${sql}`).stmts[0]!.stmt.AlterTableStmt.cmds[0].AlterTableCmd.def.ColumnDef.typeName);
  test.each([
    ['varchar(20)', 'varchar(21)', false],
    ['varchar(20)', 'varchar(19)', true],
    ['varchar(20)', 'text', false],
    ['text', 'varchar(20)', true],
    ['text', 'varchar', false],
    ['numeric(10,5)', 'numeric(11,5)', false],
    ['numeric(10,5)', 'numeric(9,5)', true],
    ['numeric(10,5)', 'numeric(10,6)', true],
    ['numeric(10,5)', 'numeric', false],
    ['timestamp(0)', 'timestamp(3)', false],
    ['timestamp', 'timestamp(3)', true],
    ['time(3)', 'time', false],
    ['interval', 'interval(3)', true],
    ['interval(0)', 'interval(6)', false],
    ['cidr', 'inet', false],
    ['inet', 'cidr', true],
    ['int', 'bigint', true],
    ['uuid', 'uuid', false],
    ['json', 'jsonb', true],
  ])('%s → %s rewrites: %s', (from, to, rewrite) => {
    expect(typeChangeVerdict(type(from), type(to), { pgVersion: 15 }).rewrite).toBe(rewrite);
  });

  test('timestamp ↔ timestamptz: no rewrite under TimeZone UTC from PostgreSQL 12, a rewrite otherwise', () => {
    expect(typeChangeVerdict(type('timestamp'), type('timestamptz'), { pgVersion: 15, timezone: 'UTC' }).rewrite).toBe(false);
    expect(typeChangeVerdict(type('timestamptz'), type('timestamp'), { pgVersion: 15, timezone: 'Etc/UTC' }).rewrite).toBe(false);
    expect(typeChangeVerdict(type('timestamp'), type('timestamptz'), { pgVersion: 11, timezone: 'UTC' }).rewrite).toBe(true);
    expect(typeChangeVerdict(type('timestamp'), type('timestamptz'), { pgVersion: 15, timezone: 'America/Los_Angeles' }).rewrite).toBe(true);
    expect(typeChangeVerdict(type('timestamp'), type('timestamptz'), { pgVersion: 15 }).rewrite).toBe(true);
    const text = "CREATE TABLE t0 (id int);\nALTER TABLE users ADD COLUMN seen timestamp;\nSET LOCAL timezone = 'UTC';\nALTER TABLE users ALTER COLUMN seen TYPE timestamptz;";
    expect(lintSource(text)).toEqual([]);
  });
});

describe('transaction structure', () => {
  test('a BEGIN … COMMIT wrapper is fine; BEGIN on line 1 without COMMIT names itself correctly', () => {
    expect(lintSource('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;')).toEqual([]);
    const [finding] = lintSource('BEGIN;\nCREATE TABLE a (id int);');
    expect(finding).toMatchObject({ rule: 'transaction-control', severity: 'error', line: 1 });
    expect(finding!.message).toContain('never committed');
    expect(finding!.message).not.toContain('in the middle');
  });

  test('BEGIN … ROLLBACK and nested BEGIN are harmless: warnings, not blocks', () => {
    expect(lintSource('BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;').map((f) => f.severity)).toEqual(['warning']);
    expect(lintSource('BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;').map((f) => f.severity)).toEqual(['warning']);
  });

  test('a COMMIT with work on both sides can leave half a migration applied: blocked', () => {
    expect(lintSource('ALTER TABLE a ADD COLUMN x int;\nCOMMIT;\nALTER TABLE a ADD COLUMN y int;')).toEqual([expect.objectContaining({ rule: 'transaction-control', severity: 'error', line: 2 })]);
  });
});
