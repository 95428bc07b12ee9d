import type { DryRunReport } from '../../src/db/dry-run.js';
import { renderDryRunMarkdown } from '../../src/report/dry-run-markdown.js';

const report: DryRunReport = {
  ok: false,
  migrations: [
    {
      version: '20260101',
      name: 'widen',
      path: 'migrations/20260101_widen.up.sql',
      ok: true,
      error: null,
      durationMs: 41.6,
      transactional: true,
      statements: [
        {
          line: 3,
          sql: 'ALTER TABLE "a|b" ALTER COLUMN id\n  TYPE bigint -- <script>alert(1)</script> @octocat',
          durationMs: 40,
          locks: [
            { relation: 'public.a|b', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'], preExisting: true, kind: 'table' },
            { relation: 'public.new_one', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'], preExisting: false, kind: 'table' },
          ] as any,
          rewrites: ['public.a|b'],
          touched: [{ relation: 'public.a|b', rows: 100000, sizeBytes: 4_500_000 }],
          flags: [{ kind: 'rewrite', relation: 'public.a|b', message: 'rewrites public.a|b (~100,000 rows, 4.3 MB): every row is copied while the lock is held' }],
        },
      ],
    },
    { version: '20260102', name: 'bad_*name*', path: 'x', ok: false, error: 'x.sql:1: relation "<b>nope</b>" does not exist', durationMs: 1, transactional: true, statements: [{ line: 1, sql: 'SELECT * FROM nope', durationMs: 1, locks: [], rewrites: [], error: 'boom' }] },
  ],
  flags: [{ kind: 'fk-without-index', relation: 'public.o', message: 'foreign key o_fk on public.o (user_id) → users has no index' }],
};

describe('dry-run markdown', () => {
  const md = renderDryRunMarkdown(report);

  it('renders one table per migration with lines, locks, rewrites and flags', () => {
    expect(md).toMatch(/^### 🛑 Dry-run failed/);
    expect(md.match(/\| Line \| Statement \| Locks \| Rewrites \| Flags \|/g)).toHaveLength(2);
    const row = md.split('\n').find((l) => l.startsWith('| 3 |'))!;
    expect(row).toContain('ACCESS EXCLUSIVE on `public.a\\|b` — blocks reads and writes');
    expect(row).toContain('\\+ 1 on relations created here');
    expect(row).toContain('`public.a\\|b` \\(\\~100,000 rows, 4.3 MB\\)');
    expect(row).toContain('🛑 rewrites');
    // A row never breaks: cell separators are the only unescaped pipes.
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(7);
    expect(md).toContain('#### After the last statement');
  });

  it('escapes HTML, mentions and markdown from SQL, identifiers and errors', () => {
    expect(md).not.toContain('<b>');
    expect(md).toContain('&lt;b&gt;nope&lt;/b&gt;');
    // SQL stays inside a code span, where GitHub renders HTML as text and never notifies a mention.
    expect(md).toContain('`ALTER TABLE "a\\|b" ALTER COLUMN id TYPE bigint -- <script>alert(1)</script> @octocat`');
    expect(md).toContain('`20260102_bad_*name*`');
    expect(md).not.toMatch(/\n\s+TYPE bigint/);
  });

  it('says so when nothing is pending', () => {
    expect(renderDryRunMarkdown({ ok: true, migrations: [] })).toBe('### ✅ Dry-run passed\n\nNothing pending.');
  });
});
