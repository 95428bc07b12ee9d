import type { FileResult, LintSummary } from './types.js';

/** Counts findings by severity; every pass that changes severities (evidence, impact) recounts with it. */
export function summarize(files: FileResult[]): LintSummary {
  const summary: LintSummary = { errors: 0, warnings: 0, infos: 0 };
  for (const file of files) {
    for (const finding of file.findings) {
      if (finding.severity === 'error') summary.errors++;
      else if (finding.severity === 'warning') summary.warnings++;
      else summary.infos++;
    }
  }
  return summary;
}
