import { execFileSync } from 'node:child_process';
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

describe('dry-run markdown with the lint findings it checked', () => {
  const finding = (rule: string, line: number, severity: 'error' | 'warning', evidence: any) => ({ rule, severity, line, column: 1, endLine: line, message: `${rule} at ${line}`, hint: 'h', evidence, impact: null });
  const lint = {
    files: [
      {
        path: 'migrations/20260101_widen.up.sql',
        findings: [
          finding('change-column-type', 3, 'error', { status: 'confirmed', observed: 'rewrote public.a|b (new relfilenode); AccessExclusiveLock on public.a|b', mode: 'AccessExclusiveLock', rewrote: true }),
          finding('set-not-null', 3, 'warning', { status: 'contradicted', observed: 'took ShareUpdateExclusiveLock on public.a|b, weaker than the predicted AccessExclusiveLock', mode: 'ShareUpdateExclusiveLock' }),
          finding('prefer-jsonb', 3, 'warning', null),
        ],
      },
      { path: 'x', findings: [finding('create-index-not-concurrently', 1, 'error', null)] },
    ],
  };
  const md = renderDryRunMarkdown(report, { lint });
  const items = md.split('\n').filter((l) => l.startsWith('- '));

  it('marks each finding confirmed or contradicted with the lock mode and rewrite PostgreSQL showed', () => {
    expect(md).toContain('Lint findings, checked against this dry-run:');
    expect(items[0]).toBe('- 🛑 `change-column-type` line 3 — change-column-type at 3<br>✔️ **confirmed by the dry-run** — ACCESS EXCLUSIVE lock, table rewritten \\(new relfilenode\\): rewrote public.a\\|b \\(new relfilenode\\); ACCESS EXCLUSIVE on public.a\\|b');
    expect(items[1]).toContain('✖️ **contradicted by the dry-run** (downgraded) — SHARE UPDATE EXCLUSIVE lock: took SHARE UPDATE EXCLUSIVE on public.a\\|b, weaker than the predicted ACCESS EXCLUSIVE');
    expect(items[2]).toContain('not a lock or rewrite prediction');
  });

  it('says when the dry-run could not compare (the statement failed or ran differently)', () => {
    // Migration "x" failed at line 1: its finding has no evidence and says why.
    expect(items.find((l) => l.includes('create-index-not-concurrently'))).toContain('not compared: the dry-run did not run this statement as written');
  });

  it('renders as GitHub does: one list item per finding, evidence on its own line', () => {
    const html = execFileSync('cmark-gfm', ['-e', 'table', '-e', 'autolink', '-e', 'tagfilter'], { input: md, encoding: 'utf8' });
    const lis = html.match(/<li>[^]*?<\/li>/g) ?? [];
    expect(lis.filter((li) => li.includes('dry-run'))).toHaveLength(4);
    expect(html).toContain('<strong>confirmed by the dry-run</strong> — ACCESS EXCLUSIVE lock, table rewritten (new relfilenode): rewrote public.a|b');
    expect(html).not.toMatch(/<li>[^<]*\\/);
  });

  it('without findings the report is unchanged', () => {
    expect(renderDryRunMarkdown(report, { lint: { files: [] } })).toBe(renderDryRunMarkdown(report));
  });
});
