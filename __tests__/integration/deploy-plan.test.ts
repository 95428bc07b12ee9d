/**
 * The deploy's plan/apply pair and preflight, through the committed bundle as the runner runs it:
 * the plan (a dry-run with plan-file) records the pending set and checksums; apply refuses, before any
 * statement, when the pending set changed between plan and apply; preflight reads the environment's
 * protection rules from a real HTTP stand-in for the REST API; replay-base refuses a non-local host.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useActionOnPush } from '../helpers/action-runner.js';
import { removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
/** Many CLI / action runs in one test: a bound against a hang, generous for a busy machine. */
const LONG = 300_000;
const github = useActionOnPush();
const { action } = github;

async function probe(url: string) {
  const [seq] = await db.query(url, 'SELECT is_called FROM probe');
  const applied = await db.query(url, 'SELECT version FROM ddlgate.schema_migrations ORDER BY version');
  return { probeCalled: seq.is_called, applied: applied.map((r) => r.version) };
}

describe('plan, then apply exactly the plan', () => {
  it('refuses an apply whose pending set changed after the plan (added or edited migration), applies the unchanged plan', async () => {
    const url = await db.createDatabase('plan_apply');
    const cwd = tempDir({ 'migrations/001_probe.up.sql': 'CREATE SEQUENCE probe;\n' });
    try {
      expect((await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging' })).code).toBe(0);
      writeFileSync(path.join(cwd, 'migrations/002_orders.up.sql'), "SELECT nextval('probe');\nCREATE TABLE orders (id bigint PRIMARY KEY);\n");
      const planFile = path.join(cwd, 'plan', 'staging.json');

      // The plan job: a dry-run (it runs the statements, rolled back — the sequence moves; reset it after).
      const plan = await action(cwd, { command: 'dry-run', 'database-url': url, environment: 'staging', 'plan-file': planFile });
      expect(plan.code).toBe(0);
      const written = JSON.parse(readFileSync(planFile, 'utf8'));
      expect(written).toMatchObject({ format: 'ddlgate-plan/1', environment: 'staging', pending: [{ version: '002', name: 'orders' }] });
      expect(written.database).toMatch(/^(localhost|127\.0\.0\.1):\d+\/plan_apply_/);
      expect(written.pending[0].checksum).toMatch(/^[0-9a-f]{64}$/);
      await db.query(url, 'ALTER SEQUENCE probe RESTART');

      // Between approval and apply, a migration is added: refused, nothing runs.
      writeFileSync(path.join(cwd, 'migrations/003_more.up.sql'), "SELECT nextval('probe');\n");
      const added = await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging', 'plan-file': planFile });
      expect(added.code).toBe(1);
      expect(added.stdout).toContain('the pending migrations are not the ones the plan showed: 003_more is pending but was not in the plan');
      removeDir(path.join(cwd, 'migrations/003_more.up.sql'));

      // … or the planned migration is edited.
      const original = readFileSync(path.join(cwd, 'migrations/002_orders.up.sql'), 'utf8');
      writeFileSync(path.join(cwd, 'migrations/002_orders.up.sql'), `${original}CREATE TABLE extra (id int);\n`);
      const edited = await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging', 'plan-file': planFile });
      expect(edited.code).toBe(1);
      expect(edited.stdout).toContain('002_orders changed since the plan');
      writeFileSync(path.join(cwd, 'migrations/002_orders.up.sql'), original);

      // A plan of staging never approves another environment.
      const other = await action(cwd, { command: 'apply', 'database-url': url, environment: 'qa', 'plan-file': planFile });
      expect(other.code).toBe(1);
      expect(other.stdout).toContain('the plan was made for environment "staging", this apply is for "qa"');

      // Nothing of the refused runs was applied (the core's own refusal, before any statement, is the next test).
      expect((await probe(url)).applied).toEqual(['001']);

      const ok = await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging', 'plan-file': planFile });
      if (ok.code !== 0) throw new Error(ok.stdout);
      expect((await probe(url)).applied).toEqual(['001', '002']);
    } finally {
      removeDir(cwd);
    }
  }, LONG);

  it('the core refuses inside the lock, before any statement, when the plan no longer matches', async () => {
    const url = await db.createDatabase('plan_core');
    const cwd = tempDir({ 'migrations/001_probe.up.sql': 'CREATE SEQUENCE probe;\n' });
    try {
      expect((await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging' })).code).toBe(0);
      writeFileSync(path.join(cwd, 'migrations/002_orders.up.sql'), "SELECT nextval('probe');\n");
      const { runUp } = await import('../../src/db/up.js');
      const { loadParser } = await import('../../src/sql/parser.js');
      await loadParser();
      const settings = { databaseUrl: url, dir: path.join(cwd, 'migrations'), schema: 'ddlgate', lockTimeoutMs: 5000, statementTimeoutMs: 60000, lockWaitMs: 5000, lockRetries: 0, environment: 'staging', log: () => {} };
      await expect(runUp({ ...settings, expectedPending: [] })).rejects.toThrow('002_orders is pending but was not in the plan');
      expect(await probe(url)).toEqual({ probeCalled: false, applied: ['001'] });
    } finally {
      removeDir(cwd);
    }
  }, LONG);
});

describe('preflight (command: preflight) against the REST API stand-in', () => {
  const cwd = tempDir({ 'migrations/001_x.up.sql': 'SELECT 1;\n' });
  afterAll(() => removeDir(cwd));
  const preflight = (inputs: Record<string, string>) => action(cwd, { command: 'preflight', environment: 'production', ...inputs });

  it('refuses production without required reviewers or wait timer, or when the environment does not exist', async () => {
    github.fake.environments.set('production', [{ id: 1, type: 'branch_policy' }]);
    const bare = await preflight({});
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('::error::preflight: environment "production" is production but has no required reviewers and no wait timer');
    expect(github.fake.requests.some((r) => r.path === '/repos/acme/shop/environments/production' && r.authorization === 'token ghs_faketoken123')).toBe(true);

    github.fake.environments.delete('production');
    const missing = await preflight({});
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('does not exist in this repository; GitHub would create it on first use with no protection at all');
  }, LONG);

  it('passes with required reviewers or a wait timer, and with the loud input (saying so)', async () => {
    github.fake.environments.set('production', [{ id: 2, type: 'required_reviewers', prevent_self_review: true, reviewers: [{ type: 'Team', reviewer: { slug: 'dba' } }] }]);
    const reviewed = await preflight({});
    expect(reviewed.code).toBe(0);
    expect(reviewed.stdout).toContain('preflight: environment "production": 1 required reviewer(s), wait timer 0 min (production)');

    github.fake.environments.set('production', [{ id: 3, type: 'wait_timer', wait_timer: 15 }]);
    expect((await preflight({})).code).toBe(0);

    github.fake.environments.set('production', []);
    const loud = await preflight({ 'allow-unprotected-production': 'true' });
    expect(loud.code).toBe(0);
    expect(loud.summary).toContain('allow-unprotected-production is set');
    // Not production: no refusal for an unprotected staging environment.
    github.fake.environments.set('staging', []);
    expect((await preflight({ environment: 'staging' })).code).toBe(0);
  }, LONG);

  it('names the missing permission when the API refuses', async () => {
    github.fake.environmentStatus = 403;
    try {
      const r = await preflight({});
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('could not read the protection rules of environment "production" (HTTP 403); the job needs "permissions: actions: read"');
    } finally {
      github.fake.environmentStatus = undefined;
    }
  });
});

describe('replay-base', () => {
  it('refuses a database URL that is not localhost or the job\'s service container, before any connection', async () => {
    const cwd = tempDir({ 'migrations/001_x.up.sql': 'SELECT 1;\n' });
    try {
      // .invalid never resolves: a connection attempt would fail with another message.
      const r = await action(cwd, { command: 'dry-run', 'database-url': 'postgres://u:pw@db.shop.invalid:5432/shop', 'replay-base': 'true' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('replay-base writes to the database, so it only runs against the job\'s own service container or localhost; "db.shop.invalid" is neither');
    } finally {
      removeDir(cwd);
    }
  }, LONG);
});
