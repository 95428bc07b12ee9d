import { hasMarker } from '../../src/action/comment.js';
import type { DryRunMigration } from '../../src/db/dry-run.js';
import type { Finding } from '../../src/lint/types.js';
import { commentMarker, GITHUB_COMMENT_LIMIT, renderComment, verdictLine, type ReportModel } from '../../src/report/comment-markdown.js';
import { codeFence, escapeMarkdown, inlineCode } from '../../src/report/markdown-escape.js';
import { renderFailureSummary, renderSummary } from '../../src/report/summary-markdown.js';

const BLOB = 'https://github.com/acme/shop/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'create-index-not-concurrently',
    severity: 'error',
    line: 2,
    column: 1,
    endLine: 2,
    message: 'CREATE INDEX on existing table users without CONCURRENTLY blocks all writes to it (SHARE lock) for the whole index build',
    hint: 'Use CREATE INDEX CONCURRENTLY (in a migration without BEGIN/COMMIT).',
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
    blobBase: BLOB,
    runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    dryRunOk: true,
    notes: ['Only the migrations this pull request adds or changes are linted (changed-only).'],
    files: [
      { path: 'migrations/20260102000000_users_email_idx.up.sql', status: 'added', findings: [finding(), finding({ rule: 'prefer-jsonb', severity: 'warning', line: 4, endLine: 6, message: 'column payload is json', hint: 'Use jsonb.' })], version: '20260102000000', name: 'users_email_idx', dryRun: dryRun() },
      { path: 'migrations/20260102000000_users_email_idx.down.sql', status: 'added', findings: [] },
      {
        path: 'migrations/20260103000000_backfill.up.sql',
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

  test('the job summary (snapshot): same report, no marker, failure callout', () => {
    const model = typicalModel();
    model.dryRunReport = { ok: false, migrations: model.files.flatMap((f) => (f.dryRun ? [f.dryRun] : [])) };
    const summary = renderSummary(model, { failure: 'dry-run failed: relation "accounts" does not exist' });
    expect(summary).toContain('## Dry-run details');
    expect(summary).not.toContain('<!-- ddlgate:report');
    expect(summary).toMatchSnapshot();
  });

  test('a failure before any report (snapshot)', () => {
    expect(renderFailureSummary('apply', 'migrations', 'production gate: apply on environment "production" requires input confirm: MIGRATE-PRODUCTION exactly (got "yes")')).toMatchSnapshot();
  });

  test('verdict lines', () => {
    const base: ReportModel = { dir: 'm', command: 'lint', failOn: 'error', files: [{ path: 'm/1_a.up.sql', findings: [] }] };
    expect(verdictLine(base)).toBe('✅ **Safe** — no findings in 1 migration file');
    expect(verdictLine({ ...base, files: [{ path: 'm/1_a.up.sql', findings: [finding({ severity: 'warning' })] }] })).toBe('⚠️ **Warnings** — 0 errors, 1 warning in 1 migration file');
    expect(verdictLine({ ...base, dryRunOk: false })).toBe('🛑 **Blocking** — 0 errors, 0 warnings in 1 migration file · dry-run **failed**');
  });

  test('status and rollback SQL (snapshot)', () => {
    const model: ReportModel = {
      dir: 'db/migrations',
      command: 'rollback',
      failOn: 'error',
      files: [],
      operation: { headline: 'Rolled back 1 migration(s): 20260102000000_users_email_idx.', ok: true, sql: [{ title: 'Down SQL of 20260102000000_users_email_idx', sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n' }] },
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
    const prose = body.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(`+)[^`\n]+?\1/g, '');
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
      blobBase: BLOB,
      runUrl: 'https://github.com/acme/shop/actions/runs/4242',
      files: Array.from({ length: files }, (_, i) => ({
        path: `migrations/2026010${String(i).padStart(7, '0')}_m${i}.up.sql`,
        findings: Array.from({ length: 8 }, (__, j) => finding({ line: j + 1, endLine: j + 1, message: `finding ${j} ${'x'.repeat(200)}` })),
      })),
    };
  }

  test('a report too long for one comment becomes a per-file summary', () => {
    const body = renderComment(hugeModel(60));
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('The full report is longer than a comment may be');
    expect(body).toContain('| 🛑 | [migrations/20260100000059\\_m59.up.sql]');
    expect(body.split('\n')[0]).toBe('<!-- ddlgate:report:migrations -->');
  });

  test('thousands of files: rows are cut, never fails', () => {
    const body = renderComment(hugeModel(3000));
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toMatch(/…and \d+ more files \(see the job summary\)\./);
  });

  test('the compact form (snapshot, small limit)', () => {
    expect(renderComment(hugeModel(5), 4000)).toMatchSnapshot();
  });
});
