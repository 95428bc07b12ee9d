/** Plain-text rendering of lint results: `file:line:col  severity  rule  message`, then the hint. Pure. */
import type { LintResult, Severity } from '../lint/types.js';

export interface TextOptions {
  /** ANSI colours (only when writing to a terminal). */
  color?: boolean;
}

const COLORS: Record<Severity | 'dim' | 'bold' | 'ok', [string, string]> = {
  error: ['\u001b[31m', '\u001b[39m'],
  warning: ['\u001b[33m', '\u001b[39m'],
  info: ['\u001b[36m', '\u001b[39m'],
  ok: ['\u001b[32m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
};

export function renderLintText(result: LintResult, options: TextOptions = {}): string {
  const paint = (style: keyof typeof COLORS, text: string) => (options.color ? `${COLORS[style][0]}${text}${COLORS[style][1]}` : text);
  const lines: string[] = [];
  for (const file of result.files) {
    for (const finding of file.findings) {
      const where = `${file.path}:${finding.line}:${finding.column}`;
      lines.push(`${paint('bold', where)}  ${paint(finding.severity, finding.severity)}  ${paint('dim', finding.rule)}  ${oneLine(finding.message)}`);
      if (finding.hint) lines.push(`    ${paint('dim', 'hint:')} ${oneLine(finding.hint)}`);
    }
  }
  const { errors, warnings, infos } = result.summary;
  const fileCount = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  if (errors + warnings + infos === 0) {
    lines.push(paint('ok', `✓ ${fileCount} linted, no findings`));
  } else {
    if (lines.length > 0) lines.push('');
    const parts = [plural(errors, 'error'), plural(warnings, 'warning'), ...(infos ? [plural(infos, 'info')] : [])];
    const summary = `${errors > 0 ? '✗' : '!'} ${parts.join(', ')} in ${fileCount}${errors > 0 ? ' (errors block the migration)' : ''}`;
    lines.push(paint(errors > 0 ? 'error' : 'warning', summary));
  }
  return `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Findings are one line each in text output; embedded newlines would break `file:line:col` parsers. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
