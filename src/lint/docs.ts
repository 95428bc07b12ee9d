/** Renders docs/rules.md from the rules themselves (the test suite fails when the file is stale). */
import { RULES } from './rules/index.js';
import type { RuleCategory, RuleDoc } from './types.js';

const CATEGORY_TITLES: Array<[RuleCategory, string]> = [
  ['index', 'Indexes'],
  ['constraint', 'Constraints'],
  ['column', 'Columns'],
  ['breaking', 'Breaking changes'],
  ['lock', 'Table-wide locks'],
  ['transaction', 'Transactions'],
  ['input', 'Input'],
  ['hygiene', 'Suppressions'],
];

export function renderRulesDoc(rules: readonly RuleDoc[] = RULES): string {
  const lines: string[] = [
    '# ddlgate lint rules',
    '',
    '<!-- Generated from src/lint/rules/*.ts by `node scripts/gen-rules-doc.mjs` (after `npm run build`). Do not edit by hand. -->',
    '',
    '`ddlgate lint` parses each migration with the real PostgreSQL parser (libpg-query), follows what the migration',
    'does statement by statement (tables and indexes it creates, constraints it validates, its transaction, the locks',
    'it holds) and looks inside `DO` blocks and the bodies of functions the migration calls. Text in string literals and',
    'comments is never a finding. Statements on a table created earlier in the same migration are not reported by the',
    'lock rules: nothing else can be using that table yet.',
    '',
    '- **Severity**: `error` blocks (exit code 1); `warning` and `info` are reported only.',
    '- **Breaking** rules are blocked unless `ALLOW_BREAKING_MIGRATIONS=true` (or `--allow-breaking`, or `"allowBreaking": true`);',
    '  then they are reported as warnings "allowed by ALLOW_BREAKING_MIGRATIONS". They are not applied to `.down.sql` files.',
    '- **Configure** in `ddlgate.json`: `"rules": { "<rule-id>": "off" | "error" | "warning" | "info" }`, `"pgVersion": 15`',
    '  (target PostgreSQL major; some rules depend on it), `"exclude": ["glob", …]`.',
    '- **Suppress** one statement with a comment on the line(s) just above it:',
    '  `-- ddlgate-ignore <rule>[, <rule>]: <reason>`. The reason is required; an ignore that silences nothing is reported (`unused-ignore`).',
    '- `lock_timeout` is not a per-file finding: the runner sets it (and `statement_timeout`) for every migration.',
    '',
    '| Rule | Severity | Summary |',
    '| --- | --- | --- |',
  ];
  const ordered = CATEGORY_TITLES.flatMap(([category]) => rules.filter((rule) => rule.category === category));
  for (const rule of ordered) {
    lines.push(`| [\`${rule.id}\`](#${rule.id}) | ${rule.severity}${rule.breaking ? ' (breaking)' : ''} | ${escapeCell(rule.summary)} |`);
  }
  for (const [category, title] of CATEGORY_TITLES) {
    const inCategory = rules.filter((rule) => rule.category === category);
    if (inCategory.length === 0) continue;
    lines.push('', `## ${title}`);
    for (const rule of inCategory) {
      lines.push('', `### ${rule.id}`, '', `**${rule.severity}**${rule.breaking ? ' · breaking' : ''} — ${rule.summary}`, '', `**Why it is dangerous.** ${rule.why}`, '', `**Safe alternative.** ${rule.safe}`);
      if (rule.bad) lines.push('', 'Reported:', '', '```sql', rule.bad, '```');
      if (rule.good) lines.push('', 'Instead:', '', '```sql', rule.good, '```');
    }
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
