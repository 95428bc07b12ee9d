/**
 * SARIF 2.1.0 for GitHub code scanning (`lint --format sarif`, the action's sarif-path output): one run,
 * every rule with its documentation (help URI into docs/rules.md), every finding a result with a stable
 * partialFingerprint so code scanning follows an alert when lines move. Pure: data in, object out.
 */
import { createHash } from 'node:crypto';
import type { LintResult, RuleDoc, Severity } from '../lint/types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const RULES_DOC_URL = 'https://github.com/ddlgate/ddlgate/blob/main/docs/rules.md';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  /** ddlgate's version, for tool.driver.version. */
  version: string;
  /** The text of a linted file (to fingerprint the statement rather than its line); undefined when unreadable. */
  sourceOf?: (path: string) => string | undefined;
}

export function renderLintSarif(result: LintResult, rules: readonly RuleDoc[], options: SarifOptions): Record<string, unknown> {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results: Array<Record<string, unknown>> = [];
  for (const file of result.files) {
    const text = options.sourceOf?.(file.path);
    const lines = text?.split(/\r?\n/);
    const seen = new Map<string, number>();
    for (const finding of file.findings) {
      const statement = lines ? lines.slice(finding.line - 1, finding.endLine).join('\n') : finding.message;
      const base = `${finding.rule}\u0000${file.path}\u0000${normalize(statement)}`;
      // The same rule on the same statement text twice in one file: tell them apart by order, not by line.
      const occurrence = seen.get(base) ?? 0;
      seen.set(base, occurrence + 1);
      const fingerprint = createHash('sha256').update(`${base}\u0000${occurrence}`).digest('hex').slice(0, 32);
      const message = finding.evidence ? `${finding.message} (dry-run: ${finding.evidence.status}: ${finding.evidence.observed})` : finding.message;
      results.push({
        ruleId: finding.rule,
        ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
        level: LEVEL[finding.severity],
        message: { text: `${message}\n${finding.hint}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: toUri(file.path) },
              region: { startLine: finding.line, startColumn: finding.column, endLine: Math.max(finding.endLine, finding.line) },
            },
          },
        ],
        partialFingerprints: { 'ddlgateStatement/v1': fingerprint },
        properties: { ...(finding.table ? { table: finding.table } : {}), ...(finding.evidence ? { evidence: finding.evidence } : {}), ...(finding.impact ? { impact: finding.impact } : {}) },
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ddlgate',
            version: options.version,
            informationUri: 'https://github.com/ddlgate/ddlgate',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: plain(rule.summary) },
              fullDescription: { text: plain(rule.why) },
              help: { text: `${plain(rule.why)}\nSafe alternative: ${plain(rule.safe)}`, markdown: `${rule.why}\n\n**Safe alternative.** ${rule.safe}` },
              helpUri: `${RULES_DOC_URL}#${rule.id}`,
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { category: rule.category, ...(rule.breaking ? { breaking: true } : {}), tags: ['postgresql', 'migration', rule.category] },
            })),
          },
        },
        results,
      },
    ],
  };
}

function normalize(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

function plain(markdown: string): string {
  return markdown.replace(/`/g, '');
}

/** A repository-relative path as a SARIF URI (forward slashes, percent-encoded). */
function toUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}
