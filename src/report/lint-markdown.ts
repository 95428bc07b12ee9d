/** Markdown rendering of lint results (PR comment, job summary). Pure; every message is escaped. */
import type { Finding, LintResult, Severity } from '../lint/types.js';

export interface MarkdownOptions {
  /** Heading level of the per-file sections (default 4). */
  headingLevel?: number;
  /** A title line; omitted when empty. */
  title?: string;
}

const BADGE: Record<Severity, string> = { error: '🛑 **error**', warning: '⚠️ **warning**', info: 'ℹ️ info' };

export function renderLintMarkdown(result: LintResult, options: MarkdownOptions = {}): string {
  const heading = '#'.repeat(Math.min(6, Math.max(1, options.headingLevel ?? 4)));
  const lines: string[] = [];
  if (options.title) lines.push(`${'#'.repeat(Math.max(1, (options.headingLevel ?? 4) - 1))} ${escapeMarkdown(options.title)}`, '');
  const { errors, warnings, infos } = result.summary;
  const fileCount = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  if (errors + warnings + infos === 0) {
    lines.push(`✅ **ddlgate lint**: no findings in ${fileCount}.`);
    return `${lines.join('\n')}\n`;
  }
  const counts = [plural(errors, 'error'), plural(warnings, 'warning'), ...(infos ? [plural(infos, 'info')] : [])].join(', ');
  lines.push(`${errors > 0 ? '🛑' : '⚠️'} **ddlgate lint**: ${counts} in ${fileCount}${errors > 0 ? ' — errors block the migration.' : '.'}`);
  for (const file of result.files) {
    if (file.findings.length === 0) continue;
    lines.push('', `${heading} ${codeSpan(file.path)}`, '');
    for (const finding of file.findings) lines.push(...renderFinding(finding));
  }
  return `${lines.join('\n')}\n`;
}

function renderFinding(finding: Finding): string[] {
  const lineRange = finding.endLine > finding.line ? `lines ${finding.line}–${finding.endLine}` : `line ${finding.line}`;
  const out = [`- ${BADGE[finding.severity]} ${codeSpan(finding.rule)} (${lineRange}): ${escapeMarkdown(finding.message)}`];
  if (finding.hint) out.push(`  <br>💡 ${escapeMarkdown(finding.hint)}`);
  return out;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Escapes text so that it renders literally in GitHub markdown (no HTML, links, emphasis, tables). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]|~])/g, '\\$1')
    .replace(/@/g, '@\u200b');
}

/** A code span that cannot be broken out of, whatever backticks the text contains. */
export function codeSpan(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}
