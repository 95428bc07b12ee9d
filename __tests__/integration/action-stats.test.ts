/**
 * The PR check reads the production snapshot the deploy workflow published, on a fork-like event: the
 * pull request comes from a fork, the token can only read, and there is no secret — no production URL,
 * only the job's throwaway database (replay-base). The action is run as the runner runs it (dist/).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PR, pullRequestEvent, runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { query, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

const MIGRATIONS = {
  'migrations/20260101000000_create_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
  'migrations/20260102000000_create_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, note text);\n',
};
const PR_MIGRATION = 'migrations/20260103000000_indexes.up.sql';
const PR_SQL = 'CREATE INDEX users_email_idx ON users (email);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\nALTER TABLE orders ADD COLUMN flag boolean;\n';

const fake = useFakeGitHub();

/** The summary's text without markdown escapes. */
const plain = (markdown: string) => markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');

beforeAll(async () => {
  fake.files.set(PR, [{ filename: PR_MIGRATION, status: 'added' }]);
}, 60_000);

/** "Production": the migrations applied by ddlgate, then rows; the snapshot as the deploy workflow takes it. */
async function productionSnapshot(workspace: string, handMade?: string): Promise<string> {
  const production = await db.createDatabase('production');
  const up = await runCli(['up', '--dir', path.join(workspace, 'migrations')], { env: { DATABASE_URL: production, POSTGRES_URL: undefined } });
  expect(up.code).toBe(0);
  await query(production, `INSERT INTO users SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 200) AS g`);
  await query(production, `INSERT INTO orders SELECT g, g % 5000, 'note ' || g FROM generate_series(1, 200000) AS g`);
  if (handMade) await query(production, handMade);
  await query(production, 'ANALYZE');
  const file = path.join(workspace, '.ddlgate', 'production-snapshot.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const taken = await runCli(['snapshot', '--out', file], { env: { DATABASE_URL: production, POSTGRES_URL: undefined } });
  expect(taken.code).toBe(0);
  return '.ddlgate/production-snapshot.json';
}

describe('the PR check on a fork, with the published snapshot', () => {
  it('reads the snapshot without any production credential: impact, calibration, no drift', async () => {
    const workspace = tempDir({ ...MIGRATIONS });
    try {
      const stats = await productionSnapshot(workspace);
      // The PR's migration arrives after production was snapshotted.
      writeFileSync(path.join(workspace, PR_MIGRATION), PR_SQL);
      const throwaway = await db.createDatabase('check');
      fake.clearLog();
      const result = await runAction(
        workspace,
        fake,
        { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': throwaway, 'replay-base': 'true', stats, 'github-token': 'ghs_readonly_fork_token' },
        { event: pullRequestEvent({ fork: true }) },
      );
      expect(result.stderr).toBe('');
      // Only reads: the PR's file list. No comment (a fork's token cannot write), nothing else.
      expect(fake.writes()).toEqual([]);
      const findings = result.report.lint.files.flatMap((f: any) => f.findings);
      const users = findings.find((f: any) => f.impact?.table === 'public.users');
      const orders = findings.find((f: any) => f.impact?.table === 'public.orders');
      expect(users).toMatchObject({ rule: 'create-index-not-concurrently', severity: 'info', impact: { rows: 200 } });
      // Milliseconds, or — when the calibration measured a large fixed cost on a busy machine — a sub-second range.
      expect(users.message).toMatch(/info: public\.users has 200 rows, .* in production .*: (the lock is held for milliseconds|the index build takes about [\d.]+–0?\.\d+ s)/);
      expect(orders).toMatchObject({ rule: 'create-index-not-concurrently', severity: 'error' });
      expect(orders.impact.rows).toBeGreaterThan(150_000);
      expect(orders.impact.estimateSeconds[1]).toBeGreaterThan(orders.impact.estimateSeconds[0]);
      expect(orders.message).toMatch(/public\.orders has [\d,]+ rows, [\d.]+ MB in production .*: blocks writes for an estimated .* \(index build\)/);
      expect(plain(result.summary)).toMatch(/Production snapshot of \d{4}-\d\d-\d\d \d\d:\d\d UTC \(PostgreSQL/);
      expect(plain(result.summary)).toMatch(/Durations estimated from figures calibrated on this check's database \([\d,]+ rows scanned in/);
      expect(plain(result.summary)).not.toMatch(/Production has drifted/);

      // Every lock the dry-run traced on a table the snapshot knows, not only the findings' tables.
      const statements = result.report.dryRun.migrations.flatMap((m: any) => m.statements);
      const lockAt = (line: number) => statements.find((s: any) => s.line === line).locks.find((l: any) => l.relation === 'public.orders');
      expect(lockAt(2).impact).toMatchObject({ table: 'public.orders', operation: 'index build', rows: orders.impact.rows, estimateSeconds: orders.impact.estimateSeconds });
      expect(lockAt(3).impact).toMatchObject({ table: 'public.orders', operation: 'lock', rows: orders.impact.rows, estimateSeconds: [0, 5] });
      expect(lockAt(3).impact.summary).toMatch(/^public\.orders: [\d,]+ rows, [\d.]+ MB in production — blocks reads and writes while held, up to 5 s waiting for it \(lock_timeout\)$/);
      // The report: the finding's impact in its slot (not repeated in its headline); the traced lock in production terms.
      const summary = plain(result.summary);
      expect(summary).toMatch(/\*\*Impact:\*\* SHARE lock on public\.orders \(\\?~0 rows, [\d.]+ kB\) — blocks writes · .*public\.orders has [\d,]+ rows, [\d.]+ MB in production .*: blocks writes for an estimated [\d.]+–[\d.]+ s \(index build\)/);
      expect(summary).toMatch(/`create-index-not-concurrently` · \[L2\]\([^)]*\) — CREATE INDEX on existing table orders without CONCURRENTLY [^\n]*\(\[why\]/);
      expect(summary).not.toMatch(/#L2\) — [^\n]*in production[^\n]*\(\[why\]/);
      expect(summary).toMatch(/The dry-run also saw:\n- ⚠️ \[L3\]\([^)]*\) `ALTER TABLE orders ADD COLUMN flag boolean` — ACCESS EXCLUSIVE lock on public\.orders: [\d,]+ rows, [\d.]+ MB in production — blocks reads and writes while held/);
      expect(result.code).toBe(1);
    } finally {
      removeDir(workspace);
    }
  }, 180_000);

  it('says production has drifted, and where, when its schema is not what the migrations before the PR produce', async () => {
    const workspace = tempDir({ ...MIGRATIONS });
    try {
      const stats = await productionSnapshot(workspace, 'ALTER TABLE users ADD COLUMN nickname text; CREATE INDEX orders_note_idx ON orders (note)');
      writeFileSync(path.join(workspace, PR_MIGRATION), PR_SQL);
      const result = await runAction(
        workspace,
        fake,
        { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': await db.createDatabase('check'), 'replay-base': 'true', stats, 'fail-on': 'never' },
        { event: pullRequestEvent({ fork: true }) },
      );
      expect(result.stderr).toBe('');
      expect(plain(result.summary)).toMatch(/Production has drifted: its schema \(snapshot\) differs from what the migrations before this pull request produce/);
      expect(plain(result.summary)).toContain('only in production');
      expect(result.code).toBe(0);
    } finally {
      removeDir(workspace);
    }
  }, 180_000);

  it('a missing snapshot (nothing published yet) is said, and the check runs as before', async () => {
    const workspace = tempDir({ ...MIGRATIONS, [PR_MIGRATION]: PR_SQL });
    try {
      const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', stats: '.ddlgate/production-snapshot.json' }, { event: pullRequestEvent({ fork: true }) });
      expect(plain(result.summary)).toMatch(/No production snapshot at \.ddlgate\/production-snapshot\.json yet/);
      expect(result.report.lint.files.flatMap((f: any) => f.findings).every((f: any) => !('impact' in f) || f.impact === null)).toBe(true);
      expect(result.code).toBe(1);
    } finally {
      removeDir(workspace);
    }
  }, 60_000);
});

describe('the deploy side: command snapshot', () => {
  it('writes the statistics snapshot to the stats path (statistics only), redacted on request', async () => {
    const workspace = tempDir({ ...MIGRATIONS });
    try {
      const production = await db.createDatabase('deployed');
      expect((await runCli(['up', '--dir', path.join(workspace, 'migrations')], { env: { DATABASE_URL: production, POSTGRES_URL: undefined } })).code).toBe(0);
      await query(production, `INSERT INTO users VALUES (1, 'very-secret-address@example.org')`);
      const result = await runAction(workspace, fake, { command: 'snapshot', 'database-url': production, 'migrations-dir': 'migrations' }, { event: {}, eventName: 'push' });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const text = readFileSync(path.join(workspace, '.ddlgate', 'production-snapshot.json'), 'utf8');
      expect(text).not.toContain('very-secret-address');
      expect(Object.keys(JSON.parse(text).tables)).toEqual(['public.orders', 'public.users']);
      expect(result.report.snapshot).toMatchObject({ path: '.ddlgate/production-snapshot.json', tables: 2, redacted: false });

      const redacted = await runAction(workspace, fake, { command: 'snapshot', 'database-url': production, stats: 'out/snap.json', redact: 'true' }, { event: {}, eventName: 'push' });
      expect(redacted.code).toBe(0);
      const hidden = readFileSync(path.join(workspace, 'out', 'snap.json'), 'utf8');
      for (const name of ['users', 'orders', 'email', 'customer_id', 'public']) expect(hidden).not.toContain(name);
    } finally {
      removeDir(workspace);
    }
  }, 120_000);
});
