/**
 * The environment identity (DESIGN.md "Environment identity"): the first apply with an environment
 * labels the database; `ddlgate label` labels an existing one; apply, rollback, seed and dry-run for
 * another environment are refused before any statement, naming both — through the CLI and through the
 * action (the committed bundle), because the check lives in the core.
 *
 * "No statement ran" is proved with a sequence: nextval() is not transactional, so even a statement
 * that ran inside a rolled-back transaction (a dry-run) would have moved it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
/** Many CLI / action runs in one test: a bound against a hang, generous for a busy machine. */
const LONG = 300_000;

const FIRST = 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE SEQUENCE probe;\n';
const PROBE = "SELECT nextval('probe');\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n";

function project(): string {
  return tempDir({
    'migrations/001_orders.up.sql': FIRST,
    'migrations/001_orders.down.sql': 'DROP TABLE orders;\nDROP SEQUENCE probe;\n',
    'seeds/01_orders.sql': "SELECT nextval('probe');\nINSERT INTO orders VALUES (1);\n",
  });
}

/** Adds the probing migration (its first statement advances the sequence). */
function addProbe(cwd: string): void {
  writeFileSync(path.join(cwd, 'migrations/002_invoices.up.sql'), PROBE);
  writeFileSync(path.join(cwd, 'migrations/002_invoices.down.sql'), "SELECT nextval('probe');\nDROP TABLE invoices;\n");
}

const cli = (url: string, cwd: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd, env: { DATABASE_URL: url, POSTGRES_URL: undefined, DDLGATE_ENV: undefined, NODE_ENV: undefined, ...env } });

async function state(url: string) {
  const [seq] = await db.query(url, 'SELECT last_value, is_called FROM probe');
  const [history] = await db.query(url, 'SELECT count(*)::int AS n FROM ddlgate.migration_history');
  const applied = await db.query(url, 'SELECT version FROM ddlgate.schema_migrations ORDER BY version');
  const [invoices] = await db.query(url, "SELECT to_regclass('public.invoices') IS NOT NULL AS exists");
  return { probeCalled: seq.is_called, history: history.n, applied: applied.map((r) => r.version), invoices: invoices.exists };
}

describe('environment identity through the CLI', () => {
  it('the first apply labels the database; an apply, rollback, seed or dry-run for another environment is refused before any statement, naming both', async () => {
    const url = await db.createDatabase('identity');
    const cwd = project();
    try {
      const first = await cli(url, cwd, ['up', '--environment', 'production', '--no-backup']);
      expect(first.code).toBe(0);
      expect(await db.query(url, 'SELECT environment, labelled_by IS NOT NULL AS by FROM ddlgate.environment_label')).toEqual([{ environment: 'production', by: true }]);

      addProbe(cwd);
      const before = await state(url);
      expect(before).toMatchObject({ probeCalled: false, applied: ['001'], invoices: false });

      for (const args of [
        ['up', '--environment', 'staging'],
        ['down', '--environment', 'staging'],
        ['seed', '--environment', 'staging'],
        ['dry-run', '--environment', 'staging'],
      ]) {
        const refused = await cli(url, cwd, args);
        expect({ args, code: refused.code }).toEqual({ args, code: 1 });
        expect(refused.stderr).toMatch(/^ddlgate: refused: this database is labelled environment "production" \(ddlgate\.environment_label, since \d{4}-\d\d-\d\d by .+\), but this (apply|rollback|seed|dry-run) is for environment "staging"\. Nothing was run/);
        expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
        expect(await state(url)).toEqual(before);
      }

      // DDLGATE_ENV is a claim too; NODE_ENV is not (an application's mode, not a database's identity).
      const viaEnv = await cli(url, cwd, ['up'], { DDLGATE_ENV: 'staging' });
      expect(viaEnv.code).toBe(1);
      expect(viaEnv.stderr).toContain('but this apply is for environment "staging"');
      const noClaim = await cli(url, cwd, ['up'], { NODE_ENV: 'production' });
      expect(noClaim.code).toBe(1);
      expect(noClaim.stderr).toContain('and this apply names no environment; pass --environment production');
      expect(await state(url)).toEqual(before);

      // A developer's dry-run without an environment makes no claim: allowed, and it does run.
      const dry = await cli(url, cwd, ['dry-run']);
      expect(dry.code).toBe(0);
      expect((await state(url)).probeCalled).toBe(true);

      const right = await cli(url, cwd, ['up', '--environment', 'production', '--no-backup']);
      expect(right.code).toBe(0);
      expect((await state(url)).applied).toEqual(['001', '002']);
    } finally {
      removeDir(cwd);
    }
  }, LONG);

  it('NODE_ENV=production alone is not an environment: no label, no production backup, history records none', async () => {
    const url = await db.createDatabase('identity_node_env');
    const cwd = project();
    try {
      const up = await cli(url, cwd, ['up'], { NODE_ENV: 'production' });
      expect(up.code).toBe(0);
      expect(await db.query(url, 'SELECT count(*)::int AS n FROM ddlgate.environment_label')).toEqual([{ n: 0 }]);
      expect(await db.query(url, 'SELECT DISTINCT environment FROM ddlgate.migration_history')).toEqual([{ environment: null }]);
      // The production default (a pg_dump before applying) follows the same claim: no backups/ directory.
      expect(existsSync(path.join(cwd, 'backups'))).toBe(false);
    } finally {
      removeDir(cwd);
    }
  }, LONG);

  it('ddlgate label labels an existing database, shows the label, and relabels only with --force', async () => {
    const url = await db.createDatabase('identity_label');
    const cwd = project();
    try {
      // Applied before labels existed (no environment): no label, nothing refused.
      expect((await cli(url, cwd, ['up'])).code).toBe(0);
      const none = await cli(url, cwd, ['label']);
      expect(none.code).toBe(0);
      expect(none.stdout).toBe('This database has no environment label (the first apply with --environment sets it).\n');

      const set = await cli(url, cwd, ['label', '--environment', 'production']);
      expect(set.code).toBe(0);
      expect(set.stdout).toBe('Labelled environment "production".\n');
      const shown = await cli(url, cwd, ['label', '--format', 'json']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ changed: false, label: { environment: 'production' } });

      addProbe(cwd);
      const before = await state(url);
      const refused = await cli(url, cwd, ['up', '--environment', 'staging']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('labelled environment "production"');
      expect(refused.stderr).toContain('for environment "staging"');
      expect(await state(url)).toEqual(before);

      const noForce = await cli(url, cwd, ['label', '--environment', 'staging']);
      expect(noForce.code).toBe(1);
      expect(noForce.stderr).toBe('ddlgate: this database is already labelled environment "production"; relabelling it "staging" needs --force (do it only when the database really changed role)\n');
      const bad = await cli(url, cwd, ['label', '--environment', 'prod\nuction']);
      expect(bad.code).toBe(2);
      const forced = await cli(url, cwd, ['label', '--environment', 'staging', '--force']);
      expect(forced.stdout).toBe('Labelled environment "staging" (was "production").\n');
      expect((await cli(url, cwd, ['up', '--environment', 'staging'])).code).toBe(0);
    } finally {
      removeDir(cwd);
    }
  }, LONG);
});

describe('environment identity through the action (dist/)', () => {
  const fake = useFakeGitHub();

  it('an apply labelled staging on a database labelled production is refused with no statement run', async () => {
    const url = await db.createDatabase('identity_action');
    const cwd = project();
    try {
      expect((await cli(url, cwd, ['label', '--environment', 'production'])).code).toBe(0);
      expect((await cli(url, cwd, ['up', '--environment', 'production', '--no-backup'])).code).toBe(0);
      addProbe(cwd);
      const before = await state(url);
      const push = { ref: 'refs/heads/main', repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } } };
      const result = await runAction(cwd, fake, { command: 'apply', 'database-url': url, environment: 'staging', 'migrations-dir': 'migrations', comment: 'false' }, { event: push, eventName: 'push' });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/::error::.*refused: this database is labelled environment "production".*but this (dry-run|apply) is for environment "staging"/);
      expect(await state(url)).toEqual(before);
    } finally {
      removeDir(cwd);
    }
  }, LONG);
});
