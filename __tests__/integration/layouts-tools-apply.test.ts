/**
 * The other tools' layouts (fixtures written by us in each tool's own format) through the CLI on real
 * PostgreSQL: `up` applies them in the tool's order, `status` lists them in that order after the layout
 * line, `down` reverts where the tool has downs and refuses, naming the layout, where it has none. A goose
 * or sql-migrate Down section is never run by `up` (the objects it drops are still there afterwards).
 */
import path from 'node:path';
import { REPO_ROOT, runCli, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'layouts');

interface ToolCase {
  fixture: string;
  /** Versions in the tool's order, as `status` must list them. */
  versions: string[];
  /** Tables and functions that exist after `up` (a Down section run by mistake would drop them). */
  tables: string[];
  functions: string[];
  /** Indexes the up migrations build (an index built outside a transaction must be valid). */
  indexes: string[];
  /** Versions `down` reverts, newest first, before it reaches one without a down (or the start). */
  reverts: string[];
  /** The first version whose rollback is refused: its tool has no down for it. */
  refusedAt?: string;
}

const CASES: ToolCase[] = [
  {
    fixture: 'goose',
    versions: ['20240101120000', '20240102120000', '20240103120000'],
    tables: ['orders', 'users'],
    functions: ['orders_touch'],
    indexes: ['users_email_idx'],
    reverts: ['20240103120000', '20240102120000', '20240101120000'],
  },
  {
    fixture: 'sql-migrate',
    versions: ['20240101120000', '20240102120000', '20240103120000'],
    tables: ['orders', 'users'],
    functions: ['orders_total'],
    indexes: ['users_email_idx'],
    reverts: ['20240103120000', '20240102120000', '20240101120000'],
  },
  {
    // create_orders keeps diesel's generated comment-only down.sql: diesel would "revert" it without undoing anything.
    fixture: 'diesel',
    versions: ['00000000000000', '20240101120000', '20240102120000', '20240103120000'],
    tables: ['orders', 'users'],
    functions: ['touch_updated_at'],
    indexes: ['users_email_idx'],
    reverts: [],
    refusedAt: '20240103120000',
  },
  {
    fixture: 'prisma',
    versions: ['20240101120000', '20240102120000', '20240103120000'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_key'],
    reverts: [],
    refusedAt: '20240103120000',
  },
  {
    fixture: 'supabase',
    versions: ['20240101120000', '20240102120000', '20240103120000'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_idx'],
    reverts: [],
    refusedAt: '20240103120000',
  },
  {
    fixture: 'sqitch',
    versions: ['1', '2', '3'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_idx'],
    reverts: ['3', '2', '1'],
  },
  {
    fixture: 'popx',
    versions: ['20240101000000000000', '20240102000000000000', '20240103000000000000'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_idx'],
    reverts: ['20240103000000000000', '20240102000000000000', '20240101000000000000'],
  },
  {
    fixture: 'graphile-migrate',
    versions: ['000001', '000002', '000003'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_idx'],
    reverts: [],
    refusedAt: '000003',
  },
  {
    // The middle migration's down.sql is hasura's "Could not auto-generate a down migration" comment.
    fixture: 'hasura',
    versions: ['1704110400000', '1704196800000', '1704283200000'],
    tables: ['orders', 'users'],
    functions: [],
    indexes: ['users_email_idx'],
    reverts: ['1704283200000'],
    refusedAt: '1704196800000',
  },
];

async function names(url: string, sql: string): Promise<string[]> {
  return (await db.query(url, sql)).map((row) => row.name);
}

const TABLES = `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`;
const FUNCTIONS = `SELECT proname AS name FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`;
const VALID_INDEXES = `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE c.relnamespace = 'public'::regnamespace AND i.indisvalid AND NOT i.indisprimary ORDER BY 1`;

describe.each(CASES)('$fixture fixture on PostgreSQL', (tool) => {
  const dir = path.join(FIXTURES, tool.fixture);

  it('up applies it in the tool\'s order (never a Down section), status lists it after the layout line, down reverts what has a down', async () => {
    const url = await db.createDatabase(tool.fixture.replace(/-/g, '_'));
    const up = await runCli(['up', '--dir', dir, '--database-url', url]);
    expect(up.stderr).not.toMatch(/unexpected error/);
    expect(up.code).toBe(0);
    expect(up.stdout.split('\n')[0]).toBe(`layout: ${tool.fixture} (${tool.versions.length} migrations)`);
    expect(await names(url, TABLES)).toEqual(tool.tables);
    expect(await names(url, FUNCTIONS)).toEqual(tool.functions);
    expect(await names(url, VALID_INDEXES)).toEqual(expect.arrayContaining(tool.indexes));

    const text = await runCli(['status', '--dir', dir, '--database-url', url]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`layout: ${tool.fixture} (${tool.versions.length} migrations)`);
    const json = await runCli(['status', '--dir', dir, '--database-url', url, '--format', 'json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout) as { layout: string; migrations: Array<{ version: string; state: string }> };
    expect(status.layout).toBe(tool.fixture);
    expect(status.migrations.map((m) => [m.version, m.state])).toEqual(tool.versions.map((version) => [version, 'applied']));

    if (tool.reverts.length) {
      const down = await runCli(['down', '--dir', dir, '--database-url', url, '--steps', String(tool.reverts.length), '--format', 'json']);
      expect(down.stderr).not.toMatch(/unexpected error/);
      expect(down.code).toBe(0);
      expect((JSON.parse(down.stdout).rolledBack as Array<{ version: string }>).map((m) => m.version)).toEqual(tool.reverts);
    }
    const left = tool.versions.slice(0, tool.versions.length - tool.reverts.length);
    expect((await db.query(url, 'SELECT version FROM ddlgate.schema_migrations ORDER BY version')).map((row) => row.version)).toEqual([...left].sort());
    if (tool.refusedAt) {
      const refused = await runCli(['down', '--dir', dir, '--database-url', url, '--steps', '1']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`cannot roll back ${tool.refusedAt}_.*has no down migration \\(${tool.fixture} layout\\); nothing was rolled back`));
      expect((await db.query(url, 'SELECT count(*)::int AS n FROM ddlgate.schema_migrations'))[0].n).toBe(left.length);
    } else {
      // Everything reverted: the down sections undid exactly what the up sections made.
      expect(await names(url, TABLES)).toEqual([]);
      expect(await names(url, FUNCTIONS)).toEqual([]);
      const again = await runCli(['up', '--dir', dir, '--database-url', url]);
      expect(again.code).toBe(0);
      expect(await names(url, TABLES)).toEqual(tool.tables);
    }
  });
});

test('diesel rolls back through down.sql files (below the one its generator left comment-only)', async () => {
  const dir = path.join(FIXTURES, 'diesel');
  const url = await db.createDatabase('diesel_down');
  expect((await runCli(['up', '--dir', dir, '--database-url', url, '--to', '20240102120000'])).code).toBe(0);
  const down = await runCli(['down', '--dir', dir, '--database-url', url, '--steps', '3', '--format', 'json']);
  expect(down.code).toBe(0);
  expect((JSON.parse(down.stdout).rolledBack as Array<{ version: string }>).map((m) => m.version)).toEqual(['20240102120000', '20240101120000', '00000000000000']);
  expect(await names(url, TABLES)).toEqual([]);
  expect(await names(url, FUNCTIONS)).toEqual([]);
});
