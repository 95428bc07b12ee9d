import { FakeGitHub } from '../helpers/fake-github.js';
import { PR, pullRequestEvent, runAction } from '../helpers/action-runner.js';
import { query, removeDir, tempDir, useTestDatabase } from '../helpers/pg.js';

// The action (the committed bundle) against hostile migration files and near-miss confirmation phrases.
const db = useTestDatabase();
const MARKER = '<!-- ddlgate:report:migrations -->';

let fake: FakeGitHub;
beforeAll(async () => {
  fake = new FakeGitHub();
  await fake.start();
});
afterAll(async () => {
  await fake?.stop();
});

async function sessionsOn(database: string): Promise<number> {
  const rows = await query(db.url, 'SELECT sessions FROM pg_stat_database WHERE datname = $1', [database]);
  return Number(rows[0].sessions);
}

describe('PR comment built from hostile migration files', () => {
  it('keeps its structure, neutralises mentions and carries the marker exactly once', async () => {
    const hostile = [
      `-- ${MARKER}`,
      '-- </details><details open><summary>@octocat approved</summary>',
      '-- ```',
      "-- <img src=x onerror=alert(1)> **bold** [link](https://evil.example) @someone @org/team",
      'CREATE INDEX "<b>idx</b>`@admin```" ON users ((\'```\' || email || \'<!-- x -->\'));',
      `SELECT '${MARKER}';`,
      "ALTER TABLE users DROP COLUMN \"@everyone\";",
    ].join('\n');
    const workspace = tempDir({
      'migrations/20260101000000_users.up.sql': 'CREATE TABLE users (id int, email text, "@everyone" int);',
      'migrations/20260102000000_hostile.up.sql': hostile,
    });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_hostile.up.sql', status: 'added' }]);
    try {
      const run = await runAction(workspace, fake, { command: 'lint', 'migrations-dir': 'migrations' });
      expect(run.code).toBe(1);
      const ours = fake.commentsOf(PR).filter((c) => c.body.includes(MARKER));
      expect(ours).toHaveLength(1);
      const body = ours[0]!.body;
      expect(body.split(MARKER)).toHaveLength(2);
      expect(body.startsWith(MARKER) || body.endsWith(MARKER) || body.indexOf(MARKER) < 200).toBe(true);
      // No live mention: outside code (the SQL excerpts and fixes are fenced verbatim, and GitHub never
      // mentions anyone from code), every @ followed by a name is escaped or broken.
      const prose = body.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)/g, '');
      expect(prose).not.toMatch(/(^|[^\w`\\])@(someone|octocat|admin|everyone|org\/team)\b/);
      // No raw HTML from the file survives outside code, and ddlgate's own <details> blocks stay balanced.
      expect(prose).not.toMatch(/<img|<b>idx|<details open>/);
      expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
      // Code fences are closed: an even number of fence lines.
      const fences = body.split('\n').filter((line) => /^\s*(`{3,}|~{3,})/.test(line));
      expect(fences.length % 2).toBe(0);
      // The finding still points at the right line of the hostile file.
      expect(run.stdout).toMatch(/::error title=create-index-not-concurrently,file=migrations\/20260102000000_hostile\.up\.sql,line=5/);
    } finally {
      removeDir(workspace);
    }
  }, 60_000);
});

describe('production gate', () => {
  const phrases: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['empty', ''],
    ['lower case', 'migrate-production'],
    ['title case', 'Migrate-Production'],
    ['leading space', ' MIGRATE-PRODUCTION'],
    ['trailing space', 'MIGRATE-PRODUCTION '],
    ['trailing newline', 'MIGRATE-PRODUCTION\n'],
    ['underscore', 'MIGRATE_PRODUCTION'],
    ['other environment', 'MIGRATE-STAGING'],
    ['zero-width space', 'MIGRATE-\u200bPRODUCTION'],
  ];

  it.each(phrases)('refuses a %s phrase before any database connection', async (_label, phrase) => {
    const url = await db.createDatabase('gate');
    const name = new URL(url).pathname.slice(1);
    const workspace = tempDir({ 'migrations/20260101000000_a.up.sql': 'CREATE TABLE a (id int);' });
    try {
      const before = await sessionsOn(name);
      const push = { ref: 'refs/heads/main', after: 'f'.repeat(40), repository: pullRequestEvent().repository };
      const inputs: Record<string, string> = { command: 'apply', 'database-url': url, environment: 'production' };
      if (phrase !== undefined) inputs.confirm = phrase;
      const run = await runAction(workspace, fake, inputs, { event: push, eventName: 'push' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/production gate: .*MIGRATE-PRODUCTION/);
      expect(await sessionsOn(name)).toBe(before);
      expect(await query(url, `SELECT 1 FROM pg_class WHERE relname = 'a'`)).toEqual([]);
    } finally {
      removeDir(workspace);
    }
  }, 60_000);
});

describe('action runs never show the database password', () => {
  it('keeps a marker password out of logs, summary, comment, outputs and the JSON report of failing runs', async () => {
    const url = await db.createDatabase('actionsecret');
    const marker = `Act${process.pid}Secret9`;
    await query(url, `CREATE ROLE action_marker LOGIN SUPERUSER PASSWORD '${marker}'`);
    const good = new URL(url);
    good.username = 'action_marker';
    good.password = marker;
    const wrong = new URL(good.toString());
    wrong.password = `${marker}-wrong`;
    const workspace = tempDir({
      'migrations/20260101000000_ok.up.sql': 'CREATE TABLE ok (id int);',
      'migrations/20260102000000_fails.up.sql': 'SELECT * FROM no_such_table;',
    });
    fake.files.set(PR, [{ filename: 'migrations/20260102000000_fails.up.sql', status: 'added' }]);
    try {
      const runs = [
        await runAction(workspace, fake, { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': good.toString() }),
        await runAction(workspace, fake, { command: 'dry-run', 'migrations-dir': 'migrations', 'database-url': wrong.toString() }),
        await runAction(workspace, fake, { command: 'status', 'migrations-dir': 'migrations', 'database-url': `postgres://action_marker:${marker}@127.0.0.1:1/x` }),
        await runAction(workspace, fake, { command: 'apply', 'migrations-dir': 'migrations', 'database-url': good.toString(), environment: 'staging', 'review-window-seconds': '0' }, { event: { ref: 'refs/heads/main', after: 'f'.repeat(40), repository: pullRequestEvent().repository }, eventName: 'push' }),
      ];
      expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1]);
      for (const run of runs) {
        const shown = (run.stdout + run.stderr).split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
        for (const text of [shown, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.report ?? {})]) expect(text).not.toContain(marker);
      }
      for (const comment of fake.commentsOf(PR)) expect(comment.body).not.toContain(marker);
      // The apply stopped at its mandatory dry-run, so the tracking tables may not even exist; if they do, no row holds the marker.
      if ((await query(url, `SELECT to_regclass('ddlgate.migration_history') IS NOT NULL AS ok`))[0].ok) {
        const stored = await query(url, `SELECT coalesce(string_agg(row_to_json(h)::text, E'\\n'), '') AS rows FROM ddlgate.migration_history h`);
        expect(stored[0].rows).not.toContain(marker);
      }
      expect(runs[3].stdout).toMatch(/dry-run/i);
    } finally {
      removeDir(workspace);
    }
  }, 90_000);
});
