import { renderLintMarkdown, escapeMarkdown, codeSpan } from '../../src/report/lint-markdown.js';
import { renderLintText } from '../../src/report/lint-text.js';
import type { LintResult } from '../../src/lint/types.js';

const RESULT: LintResult = {
  files: [
    {
      path: 'migrations/20260101_add.up.sql',
      findings: [
        { rule: 'create-index-not-concurrently', severity: 'error', line: 3, column: 1, endLine: 4, message: 'CREATE INDEX on existing table users', hint: 'Use CREATE INDEX CONCURRENTLY.', evidence: null, impact: null },
        { rule: 'prefer-jsonb', severity: 'warning', line: 7, column: 5, endLine: 7, message: 'column <b>x</b> is json', hint: 'Use jsonb.', evidence: null, impact: null },
      ],
    },
    { path: 'migrations/20260102_ok.up.sql', findings: [] },
  ],
  summary: { errors: 1, warnings: 1, infos: 0 },
};

describe('text', () => {
  test('file:line:col  severity  rule  message, then the hint, then a summary', () => {
    expect(renderLintText(RESULT)).toBe(
      [
        'migrations/20260101_add.up.sql:3:1  error  create-index-not-concurrently  CREATE INDEX on existing table users',
        '    hint: Use CREATE INDEX CONCURRENTLY.',
        'migrations/20260101_add.up.sql:7:5  warning  prefer-jsonb  column <b>x</b> is json',
        '    hint: Use jsonb.',
        '',
        '✗ 1 error, 1 warning in 2 files (errors block the migration)',
        '',
      ].join('\n'),
    );
  });

  test('no ANSI codes unless asked (only on a TTY)', () => {
    expect(renderLintText(RESULT)).not.toMatch(/\u001b\[/);
    expect(renderLintText(RESULT, { color: true })).toMatch(/\u001b\[31merror\u001b\[39m/);
  });

  test('a clean run says so', () => {
    expect(renderLintText({ files: [{ path: 'a.sql', findings: [] }], summary: { errors: 0, warnings: 0, infos: 0 } })).toBe('✓ 1 file linted, no findings\n');
  });
});

describe('markdown', () => {
  test('per-file findings with rule, message and hint', () => {
    const markdown = renderLintMarkdown(RESULT);
    expect(markdown).toContain('🛑 **ddlgate lint**: 1 error, 1 warning in 2 files');
    expect(markdown).toContain('#### `migrations/20260101_add.up.sql`');
    expect(markdown).toContain('`create-index-not-concurrently` (lines 3–4): CREATE INDEX on existing table users');
    expect(markdown).toContain('💡 Use CREATE INDEX CONCURRENTLY.');
    expect(markdown).not.toContain('20260102_ok');
  });

  test('HTML and markdown in messages are escaped', () => {
    const markdown = renderLintMarkdown(RESULT);
    expect(markdown).toContain('column &lt;b&gt;x&lt;/b&gt; is json');
    expect(markdown).not.toContain('<b>');
    expect(escapeMarkdown('[link](http://x) *bold* `code` | pipe @team')).toBe('\\[link\\](http://x) \\*bold\\* \\`code\\` \\| pipe @\u200bteam');
    expect(escapeMarkdown('a\nb')).toBe('a b');
  });

  test('code spans survive backticks', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x')).toBe('`` `x ``');
  });

  test('a clean run', () => {
    expect(renderLintMarkdown({ files: [], summary: { errors: 0, warnings: 0, infos: 0 } })).toBe('✅ **ddlgate lint**: no findings in 0 files.\n');
  });
});
