import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { hasBlockingFindings, isExcluded, lintFiles, lintMigrationsDir, resolveLintSettings } from '../../src/lint/index.js';
import { globToRegExp } from '../../src/lint/config.js';
import { renderRulesDoc } from '../../src/lint/docs.js';
import { InputError } from '../../src/errors.js';

const PROJECT = '__tests__/lint/fixtures/project/migrations';
const LOOSE = '__tests__/lint/fixtures/loose';

beforeAll(async () => {
  await loadParser();
});

describe('lint JSON contract (DESIGN.md)', () => {
  test('a migrations directory gives exactly the documented shape, keys in order', () => {
    const result = lintMigrationsDir(PROJECT, { exclude: ['*_drop_legacy.up.sql'] });
    const expected = {
      files: [
        { path: `${PROJECT}/20260101120000_create_orders.up.sql`, findings: [] },
        { path: `${PROJECT}/20260101120000_create_orders.down.sql`, findings: [] },
        {
          path: `${PROJECT}/20260102120000_index_users.up.sql`,
          findings: [
            {
              rule: 'create-index-not-concurrently',
              severity: 'error',
              line: 3,
              column: 1,
              endLine: 4,
              message: 'CREATE INDEX on existing table users without CONCURRENTLY blocks all writes to it (SHARE lock) for the whole index build',
              hint: expect.any(String),
              evidence: null,
              impact: null,
              table: 'public.users',
            },
            {
              rule: 'prefer-jsonb',
              severity: 'info',
              line: 5,
              column: 1,
              endLine: 5,
              message: 'column metadata is json; jsonb is almost always what you want',
              hint: expect.any(String),
              evidence: null,
              impact: null,
              table: 'public.users',
            },
          ],
        },
      ],
      summary: { errors: 1, warnings: 0, infos: 1 },
    };
    expect(result).toEqual(expected);
    // Exact key order and nothing more, as consumers of the JSON see it.
    const text = JSON.stringify(result);
    expect(text.startsWith('{"files":[{"path":')).toBe(true);
    expect(text).toContain('"findings":[{"rule":"create-index-not-concurrently","severity":"error","line":3,"column":1,"endLine":4,"message":');
    expect(text.endsWith('"summary":{"errors":1,"warnings":0,"infos":1}}')).toBe(true);
    for (const file of result.files) {
      expect(Object.keys(file)).toEqual(['path', 'findings']);
      for (const finding of file.findings) expect(Object.keys(finding)).toEqual(['rule', 'severity', 'line', 'column', 'endLine', 'message', 'hint', 'evidence', 'impact', 'table']);
    }
    expect(hasBlockingFindings(result)).toBe(true);
  });

  test('explicit files are linted whatever their names, each as one migration', () => {
    const result = lintFiles([`${LOOSE}/cleanup.sql`]);
    expect(result.files).toEqual([{ path: `${LOOSE}/cleanup.sql`, findings: [expect.objectContaining({ rule: 'truncate', line: 1 })] }]);
    expect(result.summary).toEqual({ errors: 1, warnings: 0, infos: 0 });
  });

  test('a file that is not UTF-8 is a finding, not a crash', () => {
    const result = lintFiles([`${LOOSE}/latin1.sql`]);
    expect(result.files[0]!.findings).toEqual([expect.objectContaining({ rule: 'syntax', line: 2, message: 'invalid UTF-8' })]);
  });

  test('a missing path is bad input', () => {
    expect(() => lintFiles(['no/such/file.sql'])).toThrow(InputError);
  });

  test('breaking changes allowed: reported as warnings, nothing blocks', () => {
    const result = lintFiles([`${PROJECT}/20260103120000_drop_legacy.up.sql`], { allowBreaking: true });
    expect(result.files[0]!.findings[0]).toMatchObject({ rule: 'drop-column', severity: 'warning' });
    expect(result.files[0]!.findings[0]!.message).toMatch(/allowed by ALLOW_BREAKING_MIGRATIONS/);
    expect(hasBlockingFindings(result)).toBe(false);
  });
});

describe('settings from ddlgate.json and the environment', () => {
  test('defaults: PostgreSQL 15, breaking changes blocked', () => {
    expect(resolveLintSettings({}, { env: {} })).toEqual({ pgVersion: 15, rules: {}, allowBreaking: false, exclude: [] });
  });

  test('ALLOW_BREAKING_MIGRATIONS=true, --allow-breaking or allowBreaking in the config allow breaking changes', () => {
    expect(resolveLintSettings({}, { env: { ALLOW_BREAKING_MIGRATIONS: 'true' } }).allowBreaking).toBe(true);
    expect(resolveLintSettings({}, { env: { ALLOW_BREAKING_MIGRATIONS: 'false' } }).allowBreaking).toBe(false);
    expect(resolveLintSettings({}, { env: {}, allowBreaking: true }).allowBreaking).toBe(true);
    expect(resolveLintSettings({ allowBreaking: true }, { env: {} }).allowBreaking).toBe(true);
  });

  test('an unknown rule in the config is an error naming it, with a suggestion', () => {
    expect(() => resolveLintSettings({ rules: { 'drop-colum': 'off' } }, { env: {} })).toThrow(/unknown rule "drop-colum" in "rules" \(did you mean "drop-column"\?\)/);
  });

  test('rules, pgVersion and exclude are carried over', () => {
    const settings = resolveLintSettings({ rules: { 'prefer-jsonb': 'off' }, pgVersion: 11, exclude: ['legacy/**'] }, { env: {} });
    expect(settings).toEqual({ pgVersion: 11, rules: { 'prefer-jsonb': 'off' }, allowBreaking: false, exclude: ['legacy/**'] });
  });

  test('exclude globs match the displayed path, the path in the directory or the file name', () => {
    expect(globToRegExp('migrations/**/*.sql').test('migrations/a/b.sql')).toBe(true);
    expect(globToRegExp('migrations/**/*.sql').test('migrations/b.sql')).toBe(true);
    expect(globToRegExp('*.down.sql').test('x/1_a.down.sql')).toBe(false);
    expect(isExcluded(`${PROJECT}/20260103120000_drop_legacy.up.sql`, PROJECT, ['2026010312*'])).toBe(true);
    expect(isExcluded(`${PROJECT}/20260103120000_drop_legacy.up.sql`, undefined, ['__tests__/lint/**/drop*'])).toBe(false);
    expect(isExcluded(`${PROJECT}/20260103120000_drop_legacy.up.sql`, undefined, ['__tests__/lint/**/*drop*'])).toBe(true);
  });
});

describe('docs/rules.md', () => {
  test('is up to date with the rules (regenerate: DDLGATE_UPDATE_DOCS=1 jest __tests__/lint, or npm run build && node scripts/gen-rules-doc.mjs)', () => {
    const file = path.join(process.cwd(), 'docs/rules.md');
    const expected = renderRulesDoc();
    if (process.env.DDLGATE_UPDATE_DOCS === '1') writeFileSync(file, expected);
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });
});

describe('a scratch directory', () => {
  test('an empty migrations directory lints clean', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-lint-'));
    expect(lintMigrationsDir(dir)).toEqual({ files: [], summary: { errors: 0, warnings: 0, infos: 0 } });
  });
});
