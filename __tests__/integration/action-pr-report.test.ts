/**
 * The PR report that never lies, run as the runner runs it: `node dist/index.js` (the committed bundle)
 * in a child process against a local stand-in of the GitHub API (fake-github.ts) and real PostgreSQL.
 * One scenario per way the report used to go wrong: a checkout under `path:`, PR files missing from the
 * checkout, a GitHub App token, a comment update that fails, an early failure, transient API errors,
 * thousands of findings, an unchanged rerun, and each command's own headline.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HEAD_SHA, PR, pullRequestEvent, runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const MARKER = '<!-- ddlgate:report:migrations -->';
const BLOB = `https://github.com/acme/shop/blob/${HEAD_SHA}`;

const USERS = 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL,\n  legacy text,\n  age int\n);\n';
/** The PR of the issue: an index without CONCURRENTLY, a NOT NULL column, a type change and a DROP COLUMN. */
const DANGEROUS = [
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
  'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
  'ALTER TABLE users DROP COLUMN legacy;',
  '',
].join('\n');
const SAFE = 'CREATE TABLE audit (id bigint PRIMARY KEY);\n';

const PUSH = { ref: 'refs/heads/main', after: HEAD_SHA, repository: pullRequestEvent().repository };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A workspace whose repository sits under `app/` (actions/checkout with `path: app`), committed with git. */
function checkoutUnderPath(files: Record<string, string>): { workspace: string; repo: string } {
  const workspace = tempDir(Object.fromEntries(Object.entries(files).map(([name, text]) => [`app/${name}`, text])));
  const repo = path.join(workspace, 'app');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'pr head');
  return { workspace, repo };
}

function ours(fake: FakeGitHub, login: string, marker = MARKER) {
  return fake.commentsOf(PR).filter((c) => c.user.login === login && c.body.startsWith(marker));
}
const APP_MARKER = '<!-- ddlgate:report:app/migrations -->';

const fake = useFakeGitHub();
beforeEach(() => {
  fake.comments.clear();
  fake.reviews.clear();
  fake.reviewComments.clear();
  fake.faults.length = 0;
  fake.clearLog();
});

describe('paths that always match', () => {
  test('checkout under `path: app`: the PR\'s dangerous migration is found, annotated and linked at its repository path', async () => {
    const { workspace } = checkoutUnderPath({
      'migrations/20260101000000_users.up.sql': USERS,
      'migrations/20260102000000_danger.up.sql': DANGEROUS,
      'README.md': '# shop\n',
    });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }, { filename: 'README.md', status: 'modified' }]);
    try {
      const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'app/migrations' });
      expect(run.code).toBe(1);
      for (const rule of ['create-index-not-concurrently', 'add-column-not-null-without-default', 'change-column-type', 'drop-column']) {
        expect(run.stdout).toMatch(new RegExp(`::error title=${rule},file=migrations/20260102000000_danger\\.up\\.sql,line=\\d`));
      }
      const body = ours(fake, 'github-actions[bot]', APP_MARKER)[0]!.body;
      expect(body.split('\n')[3]).toMatch(/^🛑 \*\*Blocking\*\* — 4 errors/);
      expect(body).toContain(`${BLOB}/migrations/20260102000000_danger.up.sql#L1`);
      expect(body).not.toContain('app/migrations/2026');
      // Only the PR's migration was linted (changed-only matched the API's paths).
      expect(body).not.toContain('20260101000000_users');
      // sarif-path: the same findings for code scanning, at their repository paths.
      expect(run.outputs['sarif-path']).toMatch(/\.sarif$/);
      const results = run.sarif.runs[0].results as any[];
      expect(results.map((r) => r.ruleId).sort()).toEqual(['add-column-not-null-without-default', 'change-column-type', 'create-index-not-concurrently', 'drop-column']);
      expect(new Set(results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri))).toEqual(new Set(['migrations/20260102000000_danger.up.sql']));
    } finally {
      removeDir(workspace);
    }
  });

  test('PR migration files missing from the checkout: the run fails with one line, and the comment says so', async () => {
    const { workspace } = checkoutUnderPath({ 'migrations/20260101000000_users.up.sql': USERS });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }]);
    try {
      const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'app/migrations' });
      expect(run.code).toBe(1);
      const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/the pull request changes 1 migration file\(s\) that are not in the checkout at .*: migrations\/20260102000000_danger\.up\.sql; check out the pull request's head/);
      const body = ours(fake, 'github-actions[bot]', APP_MARKER)[0]!.body;
      expect(body).toMatch(/❌ \*\*Could not run\*\* \(bad input\) — the pull request changes 1 migration file/);
      expect(body).not.toMatch(/Safe|Blocking/);
      expect(run.summary).toContain('Could not run');
    } finally {
      removeDir(workspace);
    }
  });
});

describe('own comment for every token kind', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = tempDir({ 'migrations/20260101000000_users.up.sql': USERS, 'migrations/20260102000000_danger.up.sql': DANGEROUS });
  });
  afterAll(() => removeDir(workspace));

  test('a GitHub App token, twice: one comment by <slug>[bot], updated; a user\'s marker comment is never edited', async () => {
    fake.tokens.set('ghs_apptoken', { kind: 'installation', slug: 'ddlgate-ci' });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }]);
    fake.addComment(PR, 'alice', `${MARKER}\nquoting the bot: 🛑 Blocking`);
    const first = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'github-token': 'ghs_apptoken' });
    expect(first.code).toBe(1);
    expect(ours(fake, 'ddlgate-ci[bot]')).toHaveLength(1);
    fake.clearLog();
    const second = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'github-token': 'ghs_apptoken', 'fail-on': 'never', 'allow-breaking': 'true' });
    expect(second.code).toBe(0);
    expect(ours(fake, 'ddlgate-ci[bot]')).toHaveLength(1);
    expect(fake.writes().filter((r) => r.path.includes('/issues/'))).toEqual([expect.objectContaining({ method: 'PATCH' })]);
    expect(ours(fake, 'ddlgate-ci[bot]')[0]!.body).toContain('allow-breaking');
    expect(fake.commentsOf(PR).find((c) => c.user.login === 'alice')!.body).toBe(`${MARKER}\nquoting the bot: 🛑 Blocking`);
    expect(fake.commentsOf(PR)).toHaveLength(2);
  });

  test('a personal token: GET /user names the author; GITHUB_TOKEN and the PAT each keep one comment', async () => {
    fake.tokens.set('ghp_carol', { kind: 'user', login: 'carol' });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }]);
    await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'github-token': 'ghp_carol' });
    await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'github-token': 'ghp_carol', 'allow-breaking': 'true' });
    await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'allow-breaking': 'true' });
    expect(ours(fake, 'carol')).toHaveLength(1);
    expect(ours(fake, 'github-actions[bot]')).toHaveLength(1);
    expect(fake.commentsOf(PR)).toHaveLength(2);
  }, 180_000);

  test('duplicates left by earlier runs are removed: never two comments from the same identity', async () => {
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }]);
    fake.addComment(PR, 'github-actions[bot]', `${MARKER}\n✅ **Safe** — old`);
    fake.addComment(PR, 'github-actions[bot]', `${MARKER}\n✅ **Safe** — older race`);
    const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    expect(run.code).toBe(1);
    expect(ours(fake, 'github-actions[bot]')).toHaveLength(1);
    expect(ours(fake, 'github-actions[bot]')[0]!.body).toContain('Blocking');
  });
});

describe('a comment never staler than the check', () => {
  let workspace: string;
  const file = () => path.join(workspace, 'migrations/20260102000000_change.up.sql');
  beforeEach(async () => {
    workspace = tempDir({ 'migrations/20260101000000_users.up.sql': USERS, 'migrations/20260102000000_change.up.sql': SAFE });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_change.up.sql', status: 'added' }]);
    const safe = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
    expect(safe.code).toBe(0);
    expect(ours(fake, 'github-actions[bot]')[0]!.body).toContain('✅ **Safe**');
    fake.clearLog();
  });
  afterEach(() => removeDir(workspace));

  test('the update fails after retries: the job fails and the summary says the comment is stale', async () => {
    writeFileSync(file(), DANGEROUS);
    fake.faults.push({ method: 'PATCH', path: /\/issues\/comments\/\d+$/, status: 502, message: 'Bad Gateway', times: 10 });
    const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'fail-on': 'never', 'review-comments': 'false' }, { env: { DDLGATE_GITHUB_RETRY_BASE_MS: '10' } });
    expect(run.code).toBe(1);
    // Retried (the first try plus three), then given up.
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(4);
    expect(run.stdout).toMatch(/::error::ddlgate: could not update the PR comment: GitHub server error \(HTTP 502\) on every retry; rerun the job.*is stale/);
    expect(run.summary).toMatch(/\[!WARNING\]\n> ddlgate: could not update the PR comment: GitHub server error \\\(HTTP 502\\\).*stale/);
    expect(ours(fake, 'github-actions[bot]')[0]!.body).toContain('✅ **Safe**');
  });

  test('a permission error names the permission; a comment left behind still fails the job', async () => {
    writeFileSync(file(), DANGEROUS);
    fake.faults.push({ method: 'PATCH', path: /\/issues\/comments\/\d+$/, status: 403, message: 'Resource not accessible by integration' });
    const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'fail-on': 'never', 'review-comments': 'false' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('permission denied (HTTP 403: Resource not accessible by integration); grant the job "permissions: pull-requests: write"');
    expect(run.stdout).not.toMatch(/rate limit/);
  });

  test.each([
    ['bad input', { 'fail-on': 'sometimes' }, /Could not run\*\* \(bad input\) — input "fail-on": "sometimes" is not one of error, warning, never/],
    ['a missing directory', {}, /Could not run\*\* \(bad input\) — migrations: migrations directory not found \\\(set the input migrations-dir\\\)/],
    ['no database', { command: 'dry-run', 'database-url': 'postgres://ddl:secret@127.0.0.1:1/none' }, /Could not run\*\* \(infrastructure\) — /],
    ['a malformed database URL', { command: 'dry-run', 'database-url': 'postgres://ddl:secret@[::1' }, /Could not run\*\* \(bad input\) — input "database-url": malformed; expected postgres:\/\/user:password@host:5432\/database/],
  ])('an early failure (%s) turns the previous Safe comment into "could not run"', async (label, inputs, expected) => {
    if (label === 'a missing directory') {
      // The PR moved the directory away: nothing of it is in the checkout, and the API lists no file under it.
      execFileSync('mv', [path.join(workspace, 'migrations'), path.join(workspace, 'db')]);
      fake.files.set(PR, [{ filename: 'db/20260102000000_change.up.sql', status: 'renamed' }]);
    }
    const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', ...inputs });
    expect(run.code).toBe(1);
    const body = ours(fake, 'github-actions[bot]')[0]!.body;
    expect(body).toMatch(expected);
    expect(body).not.toContain('Safe');
    expect(body).not.toContain('Blocking');
    expect(body).not.toContain('secret');
    expect(ours(fake, 'github-actions[bot]')).toHaveLength(1);
    expect(run.stdout).not.toMatch(/--dir|user:\*\*\*@/);
  });
});

describe('transient API errors', () => {
  test('one 500 and one secondary rate limit: retried as GitHub asks, the comment is still posted', async () => {
    const workspace = tempDir({ 'migrations/20260101000000_users.up.sql': USERS, 'migrations/20260102000000_danger.up.sql': DANGEROUS });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_danger.up.sql', status: 'added' }]);
    fake.faults.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, status: 500, message: 'Server Error' });
    fake.faults.push({ method: 'POST', path: /\/issues\/\d+\/comments$/, status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' } });
    try {
      const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('secondary rate limit on POST');
      expect(run.stdout).toContain('retrying in 1 s as GitHub asks');
      expect(run.stdout).toMatch(/PR comment created/);
      expect(run.stdout).not.toMatch(/::warning::ddlgate: could not/);
      expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments'))).toHaveLength(2);
      expect(ours(fake, 'github-actions[bot]')).toHaveLength(1);
    } finally {
      removeDir(workspace);
    }
  });
});

describe('huge reports', () => {
  test('4,800 findings: the comment fits, the job summary lists every one', async () => {
    const statements = Array.from({ length: 4800 }, (_, i) => `CREATE INDEX big_${i}_idx ON users (email);`).join('\n');
    const workspace = tempDir({ 'migrations/20260101000000_users.up.sql': USERS, 'migrations/20260102000000_many.up.sql': `${statements}\n` });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_many.up.sql', status: 'added' }]);
    try {
      const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations', 'review-comments': 'false' });
      expect(run.code).toBe(1);
      expect(run.outputs.errors).toBe('4800');
      const body = ours(fake, 'github-actions[bot]')[0]!.body;
      expect(body.length).toBeLessThanOrEqual(65_536);
      expect(body).toContain('too long for a comment');
      const listed = run.summary.split('\n').filter((line) => /^- 🛑 L\d+ `create-index-not-concurrently`/.test(line));
      expect(listed).toHaveLength(4800);
      expect(new Set(listed.map((line) => / L(\d+) /.exec(line)![1])).size).toBe(4800);
      expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024);
      expect(run.summary).not.toContain('see the job summary');
    } finally {
      removeDir(workspace);
    }
  }, 120_000);
});

describe('dry-run and the headline of every command', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = tempDir({
      'migrations/20260101000000_users.up.sql': USERS,
      'migrations/20260101000000_users.down.sql': 'DROP TABLE users;\n',
      'migrations/20260102000000_idx.up.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
      'migrations/20260102000000_idx.down.sql': 'DROP INDEX IF EXISTS users_email_idx;\n',
    });
  });
  afterAll(() => removeDir(workspace));

  test('a dry-run rerun on an unchanged PR writes nothing', async () => {
    const url = await db.createDatabase('report_rerun');
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_idx.up.sql', status: 'added' }]);
    const inputs = { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': url, 'replay-base': 'true' };
    const first = await runAction(workspace, fake, inputs);
    expect(first.code).toBe(1);
    const body = ours(fake, 'github-actions[bot]')[0]!.body;
    expect(body).toContain('**Impact:** SHARE lock on public.users \\(\\~0 rows, 8.0 kB\\) — blocks writes · **confirmed by the dry-run**');
    fake.clearLog();
    const second = await runAction(workspace, fake, inputs);
    expect(second.code).toBe(1);
    expect(fake.writes()).toEqual([]);
    expect(second.stdout).toContain('PR comment unchanged');
    expect(ours(fake, 'github-actions[bot]')[0]!.body).toBe(body);
  });

  test('apply, status, rollback: each says what it did; a wrong password "could not run"', async () => {
    const url = await db.createDatabase('report_headlines');
    const apply = await runAction(workspace, fake, { command: 'apply', 'database-url': url, 'fail-on': 'never' }, { event: PUSH, eventName: 'push' });
    expect(apply.code).toBe(0);
    expect(apply.summary.split('\n')[2]).toBe('✅ **Applied 2 migration\\(s\\) in batch 1**');
    // Files are labelled with their state after the apply, not "pending".
    expect(apply.summary).toMatch(/### \S+ \[migrations\/20260102000000\\_idx\.up\.sql\].*\n\napplied · /);
    expect(apply.summary).not.toMatch(/\npending/);

    const status = await runAction(workspace, fake, { command: 'status', 'database-url': url }, { event: PUSH, eventName: 'push' });
    expect(status.summary.split('\n')[2]).toBe('ℹ️ **Status** — 2 applied');

    const rollback = await runAction(workspace, fake, { command: 'rollback', 'database-url': url, steps: '1' }, { event: PUSH, eventName: 'push' });
    expect(rollback.code).toBe(0);
    expect(rollback.summary.split('\n')[2]).toBe('↩️ **Rolled back 1 migration\\(s\\): 20260102000000\\_idx**');
    expect(rollback.summary).not.toMatch(/Safe|no findings in/);

    const wrong = new URL(url);
    wrong.password = 'definitely-wrong';
    const failed = await runAction(workspace, fake, { command: 'dry-run', 'database-url': wrong.toString() });
    expect(failed.code).toBe(1);
    const body = ours(fake, 'github-actions[bot]')[0]!.body;
    expect(body.split('\n')[3]).toMatch(/^❌ \*\*Could not run\*\* \(infrastructure\) — the dry-run could not run: /);
    expect(body).not.toContain('Blocking');
    expect(body).not.toContain('definitely-wrong');
  }, 180_000);
});
