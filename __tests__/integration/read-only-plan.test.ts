/**
 * The deploy's plan with read-only credentials (issue 17), through the committed bundle as the runner
 * runs it, on a real PostgreSQL: a role with only CONNECT, USAGE and SELECT plans — pending set and
 * checksums, lint of the pending migrations against the real catalog, impact from the database's own
 * statistics — writes nothing (no tracking schema appears), says the lock trace was not run, and the
 * plan file it writes is accepted by the apply that runs with the migration role.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useActionOnPush } from '../helpers/action-runner.js';
import { removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const github = useActionOnPush();
const { action } = github;

/** The summary's text without markdown escapes. */
const plain = (markdown: string) => markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');

const MIGRATIONS = {
  'migrations/001_indexes.up.sql': 'CREATE INDEX orders_customer_idx ON orders (customer_id);\nCREATE INDEX countries_name_idx ON countries (name);\n',
  'migrations/002_note.up.sql': "UPDATE orders SET note = '' WHERE note IS NULL;\n",
};

describe('a plan with read-only credentials', () => {
  it('plans with SELECT and USAGE only, writes nothing, states that the lock trace was not run; apply accepts the plan', async () => {
    const url = await db.createDatabase('ro_plan');
    const database = new URL(url).pathname.slice(1);
    // "Production" before ddlgate: two tables with rows, analysed; no tracking schema.
    await db.query(url, `CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, note text);
      INSERT INTO orders SELECT g, g % 5000, 'note ' || g FROM generate_series(1, 200000) AS g;
      CREATE TABLE countries (id int PRIMARY KEY, name text);
      INSERT INTO countries SELECT g, 'country ' || g FROM generate_series(1, 200) AS g;
      ANALYZE`);
    const role = `planner_${process.pid}`;
    await db.query(url, `CREATE ROLE ${role} LOGIN PASSWORD 'read-only-pw'; REVOKE CREATE ON SCHEMA public FROM PUBLIC; REVOKE CREATE, TEMPORARY ON DATABASE ${database} FROM PUBLIC;
      GRANT CONNECT ON DATABASE ${database} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    const readOnly = Object.assign(new URL(url), { username: role, password: 'read-only-pw' }).toString();
    // The role really cannot write: had ddlgate tried, the plan would have failed.
    await expect(db.query(readOnly, 'CREATE SCHEMA ddlgate')).rejects.toThrow(/permission denied/);

    const cwd = tempDir(MIGRATIONS);
    try {
      const planFile = path.join(cwd, 'plan', 'staging.json');
      const plan = await action(cwd, { command: 'dry-run', 'read-only': 'true', 'database-url': readOnly, environment: 'staging', 'plan-file': planFile, 'fail-on': 'never' });
      if (plan.code !== 0) throw new Error(plan.stdout);
      expect(plan.stderr).toBe('');

      // The pending set with checksums, for this environment and database.
      const written = JSON.parse(readFileSync(planFile, 'utf8'));
      expect(written).toMatchObject({ format: 'ddlgate-plan/1', environment: 'staging', pending: [{ version: '001', name: 'indexes' }, { version: '002', name: 'note' }] });
      expect(written.pending.map((m: { checksum: string }) => m.checksum)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
      expect(plan.outputs.pending).toBe('2');

      // Lint of the pending migrations against the real catalog, with impact from the live statistics.
      const findings = plan.report.lint.files.flatMap((f: any) => f.findings);
      const orders = findings.find((f: any) => f.rule === 'create-index-not-concurrently' && f.impact?.table === 'public.orders');
      const countries = findings.find((f: any) => f.rule === 'create-index-not-concurrently' && f.impact?.table === 'public.countries');
      expect(orders).toMatchObject({ severity: 'error', impact: { rows: expect.any(Number), estimateSeconds: expect.any(Array) } });
      expect(orders.impact.rows).toBeGreaterThan(150_000);
      expect(countries).toMatchObject({ severity: 'info', impact: { rows: 200 } });
      expect(plan.report.plan).toMatchObject({ readOnly: true, lockTrace: 'not run: needs the migration role' });
      expect(plan.report.dryRun).toBeUndefined();

      // Said plainly where reviewers look.
      const summary = plain(plan.summary);
      expect(summary).toContain('Read-only plan — 2 pending migrations, 1 error, 0 warnings; lock trace not run');
      expect(summary).toContain('the lock trace needs the migration role and was not run');

      // Nothing written: no tracking schema, no row changed.
      expect(await db.query(url, "SELECT to_regnamespace('ddlgate') AS schema")).toEqual([{ schema: null }]);
      expect(await db.query(url, "SELECT count(*)::int AS n FROM orders WHERE note = ''")).toEqual([{ n: 0 }]);

      // The apply job, with the migration role, takes exactly that plan.
      const apply = await action(cwd, { command: 'apply', 'database-url': url, environment: 'staging', 'plan-file': planFile, 'fail-on': 'never' });
      if (apply.code !== 0) throw new Error(apply.stdout);
      expect((await db.query(url, 'SELECT version FROM ddlgate.schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['001', '002']);

      // Once the tracking schema exists, the read-only role needs USAGE and SELECT on it too — and then plans
      // only what is pending, refusing a plan for another environment than the database's label.
      await db.query(url, `GRANT USAGE ON SCHEMA ddlgate TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ddlgate TO ${role}`);
      const again = await action(cwd, { command: 'dry-run', 'read-only': 'true', 'database-url': readOnly, environment: 'staging', 'plan-file': planFile });
      if (again.code !== 0) throw new Error(again.stdout);
      expect(JSON.parse(readFileSync(planFile, 'utf8')).pending).toEqual([]);
      const wrong = await action(cwd, { command: 'dry-run', 'read-only': 'true', 'database-url': readOnly, environment: 'production', 'plan-file': planFile });
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toContain('this database is labelled environment "staging"');
    } finally {
      removeDir(cwd);
    }
  }, 300_000);
});
