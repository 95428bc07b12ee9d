import { hasMarker } from '../../src/action/comment.js';
import type { DryRunMigration } from '../../src/db/dry-run.js';
import type { Finding } from '../../src/lint/types.js';
import { commentMarker, GITHUB_COMMENT_LIMIT, renderComment, renderCompactBody, verdictLine, type ReportModel } from '../../src/report/comment-markdown.js';
import { fixFor } from '../../src/report/fix-sql.js';
import { codeFence, escapeMarkdown, inlineCode } from '../../src/report/markdown-escape.js';
import { renderFailureSummary, renderSummary } from '../../src/report/summary-markdown.js';

const BLOB = 'https://github.com/acme/shop/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const url = (path: string) => `${BLOB}/${path}`;

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'create-index-not-concurrently',
    severity: 'error',
    line: 2,
    column: 1,
    endLine: 2,
    message: 'CREATE INDEX on existing table users without CONCURRENTLY blocks all writes to it (SHARE lock) for the whole index build',
    hint: 'Use CREATE INDEX CONCURRENTLY (in a migration without BEGIN/COMMIT).',
    evidence: null,
    impact: null,
    ...overrides,
  };
}

function dryRun(overrides: Partial<DryRunMigration> = {}): DryRunMigration {
  return {
    version: '20260102000000',
    name: 'users_email_idx',
    path: 'migrations/20260102000000_users_email_idx.up.sql',
    ok: true,
    error: null,
    durationMs: 12.4,
    transactional: true,
    statements: [
      {
        line: 2,
        sql: 'CREATE INDEX users_email_idx ON users (email)',
        durationMs: 3.2,
        locks: [
          { relation: 'public.users', mode: 'ShareLock', blocks: ['writes'], preExisting: true, kind: 'table' } as any,
          { relation: 'public.users_email_idx', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'], preExisting: false, kind: 'index' } as any,
        ],
        rewrites: [],
        flags: [{ kind: 'share-lock', relation: 'public.users', message: 'SHARE lock on public.users (~1,000 rows, 72 kB): blocks writes until the transaction ends' }],
      },
    ],
    ...overrides,
  };
}

function typicalModel(): ReportModel {
  return {
    dir: 'migrations',
    command: 'dry-run',
    failOn: 'error',
    runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    dryRunOk: true,
    changedOnly: true,
    notes: ['Only the migrations this pull request adds or changes are linted (changed-only).'],
    files: [
      {
        path: 'migrations/20260102000000_users_email_idx.up.sql',
        url: url('migrations/20260102000000_users_email_idx.up.sql'),
        status: 'added',
        findings: [
          {
            ...finding(),
            excerpt: 'CREATE INDEX users_email_idx ON users (email);',
            traced: 'SHARE lock on public.users (~1,000 rows, 72 kB) — blocks writes',
            fix: fixFor('create-index-not-concurrently', 'CREATE INDEX users_email_idx ON users (email);')!,
            impact: { table: 'public.users', rows: 1_250_000, bytes: 980_000_000, estimateSeconds: [40, 90] },
          },
          finding({ rule: 'prefer-jsonb', severity: 'warning', line: 4, endLine: 6, message: 'column payload is json', hint: 'Use jsonb. It is better in every way; see the docs.' }),
        ],
        version: '20260102000000',
        name: 'users_email_idx',
        dryRun: dryRun(),
      },
      { path: 'migrations/20260102000000_users_email_idx.down.sql', url: url('migrations/20260102000000_users_email_idx.down.sql'), status: 'added', findings: [] },
      {
        path: 'migrations/20260103000000_backfill.up.sql',
        url: url('migrations/20260103000000_backfill.up.sql'),
        status: 'pending',
        findings: null,
        dryRun: dryRun({
          version: '20260103000000',
          name: 'backfill',
          path: 'migrations/20260103000000_backfill.up.sql',
          ok: false,
          error: 'migrations/20260103000000_backfill.up.sql:1: relation "accounts" does not exist',
          statements: [{ line: 1, sql: 'UPDATE accounts SET plan = 1', durationMs: 0.4, locks: [], rewrites: [], error: 'relation "accounts" does not exist' }],
        }),
      },
    ],
  };
}

describe('comment markdown', () => {
  test('a typical report (snapshot)', () => {
    expect(renderComment(typicalModel())).toMatchSnapshot();
  });

  test('the comment is narrow (no table wider than two columns), carries no timings, and is stable', () => {
    const body = renderComment(typicalModel());
    expect(body).not.toMatch(/^\|.*\|.*\|.*\|/m);
    expect(body).not.toMatch(/\d+ ms\b/);
    expect(renderComment(typicalModel())).toBe(body);
    // The traced lock appears once, merged into the finding; the full trace is collapsed.
    expect(body.match(/SHARE lock on public\.users/g)).toHaveLength(1);
    expect(body).toContain('**Impact:** SHARE lock on public.users \\(\\~1,000 rows, 72 kB\\) — blocks writes · seen in the dry-run · `public.users`: \\~1,250,000 rows');
    expect(body).toContain('est. lock 40–90 s');
    expect(body).toContain('[why](https://github.com/ddlgate/ddlgate/blob/main/docs/rules.md#create-index-not-concurrently)');
    expect(body).toContain('```sql\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);');
    // A hint without SQL fix: its first sentence only (the long why is in the docs).
    expect(body).toContain('**Fix:** Use jsonb.\n');
  });

  test('evidence from the dry-run, when the lint has it', () => {
    const model = typicalModel();
    model.files[0]!.findings![0]!.evidence = { status: 'confirmed', observed: 'ShareLock on public.users' };
    model.files[0]!.findings![1]!.evidence = { status: 'contradicted', observed: 'no rewrite (relfilenode unchanged)' };
    const body = renderComment(model);
    expect(body).toContain('**confirmed by the dry-run** (ShareLock on public.users)');
    expect(body).toContain('**contradicted by the dry-run**: no rewrite \\(relfilenode unchanged\\)');
    expect(body).not.toContain('seen in the dry-run');
  });

  test('the job summary (snapshot): same report with timings, no marker, failure callout', () => {
    const model = typicalModel();
    model.dryRunReport = { ok: false, migrations: model.files.flatMap((f) => (f.dryRun ? [f.dryRun] : [])) };
    const summary = renderSummary(model, { failure: 'dry-run failed: relation "accounts" does not exist', commentProblem: 'ddlgate: could not update the PR comment: GitHub server error (HTTP 502) on every retry; it is stale' });
    expect(summary).not.toContain('<!-- ddlgate:report');
    expect(summary).toMatch(/\d+ ms/);
    expect(summary.startsWith('> [!WARNING]\n> ddlgate: could not update the PR comment')).toBe(true);
    expect(summary).toMatchSnapshot();
  });

  test('a failure before any report (snapshot)', () => {
    expect(renderFailureSummary('apply', 'migrations', 'production gate: apply on environment "production" requires input confirm: MIGRATE-PRODUCTION exactly (got "yes")')).toMatchSnapshot();
  });

  test('verdict lines: each command in its own words', () => {
    const base: ReportModel = { dir: 'm', command: 'lint', failOn: 'error', files: [{ path: 'm/1_a.up.sql', findings: [] }] };
    expect(verdictLine(base)).toBe('✅ **Safe** — no findings in 1 migration file');
    expect(verdictLine({ ...base, files: [], changedOnly: true })).toBe('✅ **No migrations changed** — this pull request adds or changes no migration file');
    expect(verdictLine({ ...base, files: [{ path: 'm/1_a.up.sql', findings: [finding({ severity: 'warning' })] }] })).toBe('⚠️ **Warnings** — 0 errors, 1 warning in 1 migration file, nothing blocking');
    const dry = dryRun({ ok: false, error: 'boom' });
    expect(verdictLine({ ...base, command: 'dry-run', dryRunOk: false, files: [{ path: 'm/1_a.up.sql', findings: [], dryRun: dry }] })).toBe('🛑 **Blocking** — the dry-run failed in `20260102000000_users_email_idx`');
    expect(verdictLine({ ...base, command: 'dry-run', dryRunOk: true, dryRunReport: { ok: true, migrations: [] } })).toBe('✅ **Up to date** — nothing pending to dry-run, no findings');
    expect(verdictLine({ ...base, command: 'dry-run', dryRunOk: true, dryRunReport: { ok: true, migrations: [dryRun()] } })).toBe('✅ **Safe** — 1 pending migration ran and rolled back cleanly, no findings');
    expect(verdictLine({ ...base, command: 'dry-run', couldNotRun: { kind: 'infrastructure', reason: 'the dry-run could not run: password authentication failed for user "app"' } })).toBe(
      '❌ **Could not run** (infrastructure) — the dry-run could not run: password authentication failed for user "app"',
    );
    expect(verdictLine({ ...base, command: 'rollback', files: [], operation: { headline: 'Nothing to roll back', ok: true } })).toBe('↩️ **Nothing to roll back**');
    expect(verdictLine({ ...base, command: 'apply', files: [], operation: { headline: 'Applied 2 migration(s) in batch 3', ok: true } })).toBe('✅ **Applied 2 migration\\(s\\) in batch 3**');
    const status = [{ version: '1', name: 'a', state: 'applied' as const, appliedAt: null, checksum: 'x' }, { version: '2', name: 'b', state: 'pending' as const, appliedAt: null, checksum: 'y' }];
    expect(verdictLine({ ...base, command: 'status', files: [], status })).toBe('ℹ️ **Status** — 1 applied, 1 pending');
  });

  test('fixes as SQL: only plain rewrites of the same statement', () => {
    expect(fixFor('create-index-not-concurrently', 'CREATE UNIQUE INDEX a ON t (x);')!.sql).toBe('CREATE UNIQUE INDEX CONCURRENTLY a ON t (x);');
    expect(fixFor('drop-index-not-concurrently', 'DROP INDEX IF EXISTS a;')!.sql).toBe('DROP INDEX CONCURRENTLY IF EXISTS a;');
    expect(fixFor('drop-index-not-concurrently', 'DROP INDEX a CASCADE;')).toBeUndefined();
    expect(fixFor('foreign-key-without-not-valid', 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);')).toEqual({
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      note: '-- then, in a later migration: ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
    });
    expect(fixFor('drop-column', 'ALTER TABLE t DROP COLUMN c;')).toBeUndefined();
  });

  test('status and rollback SQL (snapshot)', () => {
    const model: ReportModel = {
      dir: 'db/migrations',
      command: 'rollback',
      failOn: 'error',
      files: [],
      operation: { headline: 'Rolled back 1 migration(s): 20260102000000_users_email_idx', ok: true, sql: [{ title: 'Down SQL of 20260102000000_users_email_idx', sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n' }] },
      status: [
        { version: '20260101000000', name: 'create_users', state: 'applied', appliedAt: '2026-01-01T00:00:00.000Z', checksum: 'abc' },
        { version: '20260102000000', name: 'users_email_idx', state: 'pending', appliedAt: null, checksum: 'def' },
      ],
    };
    expect(renderComment(model)).toMatchSnapshot();
  });
});

describe('everything from files is escaped', () => {
  const evil = {
    identifier: 'x<img src=x onerror=alert(1)>_@octocat_[link](https://evil.example)',
    sql: "SELECT '````' AS fence, '<!-- ddlgate:report:migrations -->' AS marker, '@octocat' AS who\n```\n# not a heading",
  };

  function evilModel(): ReportModel {
    const model = typicalModel();
    model.files[0]!.findings = [finding({ message: `index ${evil.identifier} </details> <script>alert(1)</script> -->`, hint: 'ping @acme/security and @octocat' })];
    model.files[0]!.path = 'migrations/20260102000000_<b>evil</b>.up.sql';
    model.files[2]!.dryRun!.statements[0]!.sql = evil.sql;
    model.files[2]!.dryRun!.error = `failed near ${evil.sql}`;
    return model;
  }

  test('no HTML, no mentions, no forged marker, no escaping fence', () => {
    const body = renderComment(evilModel());
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- ddlgate:report:migrations -->');
    // The marker appears once, as the first line; file content cannot produce another comment opener.
    expect(body.split('<!--').length).toBe(2);
    expect(hasMarker(body, commentMarker('migrations'))).toBe(true);
    expect(body).not.toMatch(/<script>|<img|<b>evil|<\/details> <script/);
    // Outside code (where GitHub does not look for mentions) every @name is broken by a zero-width space.
    const prose = body.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)/g, '');
    expect(prose).toContain('@\u200boctocat');
    expect(prose).not.toMatch(/@octocat|@acme/);
    expect(body).toContain('&lt;script&gt;');
    // The SQL contains a run of four backticks: its fence is five long.
    expect(body).toContain('`````sql\nSELECT');
    expect(body).toMatchSnapshot();
  });

  test('helpers', () => {
    expect(codeFence('a ``` b ```` c')).toBe('`````\na ``` b ```` c\n`````');
    expect(codeFence('x')).toBe('```\nx\n```');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineCode('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(escapeMarkdown('1. <b>*bold*</b> @someone a@b.c')).toBe('1\\. &lt;b&gt;\\*bold\\*&lt;/b&gt; @\u200bsomeone a@b.c');
    expect(escapeMarkdown('- item | cell')).toBe('\\- item \\| cell');
    expect(commentMarker('a-->b')).not.toContain('-->b');
    expect(commentMarker('a-->b').endsWith(' -->')).toBe(true);
  });
});

describe("GitHub's 65,536-character limit", () => {
  function hugeModel(files: number): ReportModel {
    return {
      dir: 'migrations',
      command: 'lint',
      failOn: 'error',
      runUrl: 'https://github.com/acme/shop/actions/runs/4242',
      files: Array.from({ length: files }, (_, i) => ({
        path: `migrations/2026010${String(i).padStart(7, '0')}_m${i}.up.sql`,
        url: url(`migrations/2026010${String(i).padStart(7, '0')}_m${i}.up.sql`),
        findings: Array.from({ length: 8 }, (__, j) => finding({ line: j + 1, endLine: j + 1, message: `finding ${j} ${'x'.repeat(200)}` })),
      })),
    };
  }

  test('a report too long for one comment becomes a per-file summary', () => {
    const body = renderComment(hugeModel(60));
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('This report is too long for a comment');
    expect(body).toContain('- 🛑 [migrations/20260100000059\\_m59.up.sql]');
    expect(body.split('\n')[0]).toBe('<!-- ddlgate:report:migrations -->');
  });

  test('thousands of files: rows are cut, never fails', () => {
    const body = renderComment(hugeModel(3000));
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toMatch(/- …and [\d,]+ more files\n$/);
  });

  test('the compact form (snapshot, small limit)', () => {
    expect(renderCompactBody(hugeModel(5), 4000)).toMatchSnapshot();
  });
});
