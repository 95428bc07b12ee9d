/**
 * The action (the committed bundle, as the runner runs it) on other tools' layouts: the pull request's
 * changed-only lint of a dbmate or node-pg-migrate file lints the up section as up and the down section as
 * down (a reversible migration's DROP COLUMN in its down section must not block the PR), the JSON report
 * names the layout, and a folder of .sql files with no migration fails the step instead of passing.
 * Build the bundle first: npm run bundle.
 */
import { PR, runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { removeDir, tempDir } from '../helpers/pg.js';

const fake = useFakeGitHub();
let workspace: string;

beforeAll(async () => {
  workspace = tempDir({
    'db/migrations/20240101120000_create_events.sql': '-- migrate:up\nCREATE TABLE events (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE events;\n',
    'db/migrations/20240102120000_add_payload.sql': '-- migrate:up\nALTER TABLE events ADD COLUMN payload json;\n\n-- migrate:down\nALTER TABLE events DROP COLUMN payload;\n',
    'pgm/1704110400000_create-events.sql': '-- Up Migration\nCREATE TABLE events (id bigint PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE events;\n',
    'pgm/1704196800000_add-payload.sql': '-- Up Migration\nALTER TABLE events ADD COLUMN payload json;\n\n-- Down Migration\nALTER TABLE events DROP COLUMN payload;\n',
    'sql/schema.sql': 'CREATE TABLE events (id bigint PRIMARY KEY);\n',
    'flyway/V1__events.sql': 'CREATE TABLE ${appSchema}.events (id bigint PRIMARY KEY);\n',
  });
  fake.files.set(PR, [
    { filename: 'db/migrations/20240102120000_add_payload.sql', status: 'added' },
    { filename: 'pgm/1704196800000_add-payload.sql', status: 'added' },
  ]);
}, 60_000);

afterAll(async () => {
  if (workspace) removeDir(workspace);
});

test.each([
  ['db/migrations', 'dbmate', 'db/migrations/20240102120000_add_payload.sql'],
  ['pgm', 'node-pg-migrate', 'pgm/1704196800000_add-payload.sql'],
])('changed-only lint of a %s file lints only its up section as up (%s)', async (dir, layout, file) => {
  const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': dir });
  expect(result.stdout).toContain(`layout: ${layout} (2 migrations)`);
  // The up section's json column is noted; the down section's DROP COLUMN is a down migration's job, not an error.
  expect(result.outputs).toMatchObject({ errors: '0' });
  expect(result.code).toBe(0);
  expect(result.report.layout).toBe(layout);
  const files = result.report.lint.files as Array<{ path: string; findings: Array<{ rule: string; line: number }> }>;
  expect(files.map((f) => f.path)).toEqual([file]);
  expect(files[0]!.findings.map((f) => `${f.line}:${f.rule}`)).toEqual(['2:prefer-jsonb']);
});

test('a folder of .sql files none of which is a migration fails the step (never "nothing to do")', async () => {
  const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'sql', 'changed-only': 'false' });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/::error::.*schema\.sql: unrecognised migration file name; .*tried: native/);
});

test('the input "placeholders" gives Flyway placeholders their values; without one the step fails naming file, line and the input', async () => {
  const missing = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'flyway', 'changed-only': 'false' });
  expect(missing.code).toBe(1);
  expect(missing.stdout).toMatch(/::error::.*V1__events\.sql:1: no value for Flyway placeholder \$\{appSchema\} .*action input placeholders/);
  const given = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'flyway', 'changed-only': 'false', placeholders: 'appSchema=public\n' });
  expect(given.stdout).toContain('layout: flyway (1 migration)');
  expect(given.code).toBe(0);
});
