import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintSource, type LintOptions } from '../../src/lint/engine.js';
import { RULES } from '../../src/lint/rules/index.js';

const LINTED = RULES.filter((rule) => rule.source !== 'dry-run');
const FIXTURES = path.join(process.cwd(), '__tests__/lint/fixtures/rules');

beforeAll(async () => {
  await loadParser();
});

/** `-- ddlgate-test: pgVersion=11 allowBreaking=true` in a fixture sets lint options. */
function optionsOf(text: string): Partial<LintOptions> {
  const options: Partial<LintOptions> = {};
  const match = /--\s*ddlgate-test:\s*(.*)/.exec(text);
  for (const pair of match?.[1]?.split(/\s+/) ?? []) {
    const [key, value] = pair.split('=');
    if (key === 'pgVersion') options.pgVersion = Number(value);
    if (key === 'allowBreaking') options.allowBreaking = value === 'true';
  }
  return options;
}

/** Lines a fixture expects a finding of `rule` on: the line after each `-- expect: rule` marker. */
function expectedLines(text: string, rule: string): number[] {
  const lines = text.split('\n');
  const expected: number[] = [];
  lines.forEach((line, index) => {
    const marker = /--\s*expect:\s*([a-z-]+)/.exec(line);
    if (marker?.[1] === rule) expected.push(index + 2);
    if (/--\s*expect-file:\s*([a-z-]+)/.exec(line)?.[1] === rule) expected.push(1);
  });
  return expected;
}

describe('every rule has a fixture pair', () => {
  test('one directory per rule, and no stray directory', () => {
    const dirs = readdirSync(FIXTURES).sort();
    // dry-run-observed comes from the dry-run's evidence only: __tests__/lint/evidence.test.ts covers it.
    expect(dirs).toEqual(LINTED.map((rule) => rule.id).sort());
  });
});

describe.each(LINTED.map((rule) => [rule.id]))('%s', (id) => {
  test('reports every statement marked in bad.sql, and only those', () => {
    const text = readFileSync(path.join(FIXTURES, id, 'bad.sql'), 'utf8');
    const expected = expectedLines(text, id);
    expect(expected.length).toBeGreaterThan(0);
    const findings = lintSource(text, optionsOf(text)).filter((finding) => finding.rule === id);
    expect(findings.map((finding) => finding.line)).toEqual(expected);
    for (const finding of findings) {
      expect(finding.message.length).toBeGreaterThan(10);
      expect(finding.hint.length).toBeGreaterThan(10);
    }
  });

  test('good.sql (the safe alternative or a harmless look-alike) has no finding at all', () => {
    const text = readFileSync(path.join(FIXTURES, id, 'good.sql'), 'utf8');
    expect(lintSource(text, optionsOf(text))).toEqual([]);
  });
});

describe('rule metadata', () => {
  test.each(RULES.map((rule) => [rule.id, rule]))('%s documents its danger and its safe alternative', (_id, rule) => {
    expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(['error', 'warning', 'info']).toContain(rule.severity);
    expect(rule.summary).not.toMatch(/\n/);
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.safe.length).toBeGreaterThan(30);
  });
});
