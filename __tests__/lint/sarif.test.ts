/** SARIF 2.1.0 output for GitHub code scanning. */
import { loadParser } from '../../src/sql/parser.js';
import { lintText, RULES } from '../../src/lint/index.js';
import { renderLintSarif, RULES_DOC_URL } from '../../src/report/sarif.js';
import type { LintResult } from '../../src/lint/types.js';

beforeAll(async () => {
  await loadParser();
});

function sarifOf(sql: string, file = 'migrations/0002_index.up.sql') {
  const linted = lintText(file, sql);
  const result: LintResult = { files: [linted], summary: { errors: linted.findings.length, warnings: 0, infos: 0 } };
  return renderLintSarif(result, RULES, { version: '9.9.9', sourceOf: () => sql }) as any;
}

describe('lint --format sarif', () => {
  test('one run, SARIF 2.1.0, every rule documented with a help URI into docs/rules.md', () => {
    const sarif = sarifOf('CREATE INDEX users_email_idx ON users (email);\n');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'ddlgate', version: '9.9.9' });
    expect(driver.rules).toHaveLength(RULES.length);
    for (const rule of driver.rules) {
      expect(rule.helpUri).toBe(`${RULES_DOC_URL}#${rule.id}`);
      expect(rule.shortDescription.text.length).toBeGreaterThan(5);
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
    const [result] = sarif.runs[0].results;
    expect(result).toMatchObject({
      ruleId: 'create-index-not-concurrently',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'migrations/0002_index.up.sql' }, region: { startLine: 1, startColumn: 1, endLine: 1 } } }],
    });
    expect(driver.rules[result.ruleIndex].id).toBe('create-index-not-concurrently');
    expect(result.partialFingerprints['ddlgateStatement/v1']).toMatch(/^[0-9a-f]{32}$/);
  });

  test('fingerprints are stable when lines move and differ between statements', () => {
    const before = sarifOf('CREATE INDEX a_idx ON users (a);\nCREATE INDEX b_idx ON users (b);\n');
    const after = sarifOf('-- a comment\n\nALTER TABLE users ADD COLUMN c int;\nCREATE INDEX a_idx ON users (a);\nCREATE  INDEX b_idx\n  ON users (b);\n');
    const indexResults = (sarif: any) => sarif.runs[0].results.filter((r: any) => r.ruleId === 'create-index-not-concurrently');
    const prints = (sarif: any) => indexResults(sarif).map((r: any) => r.partialFingerprints['ddlgateStatement/v1']);
    expect(prints(after)).toEqual(prints(before));
    expect(new Set(prints(before)).size).toBe(2);
    expect(indexResults(after).map((r: any) => r.locations[0].physicalLocation.region.startLine)).toEqual([4, 5]);
  });

  test('infos are notes; evidence and table travel in properties', () => {
    const sarif = sarifOf('ALTER TABLE events ADD COLUMN payload json;\n');
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: 'prefer-jsonb', level: 'note', properties: { table: 'public.events' } });
  });
});
