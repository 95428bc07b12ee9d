/**
 * Workflow annotations: one per finding (error / warning / notice) at the file and lines, titled with
 * the rule id, plus one per failed dry-run statement. GitHub shows only ten of each kind per step,
 * which is why the comment and the job summary always carry the full list.
 */
import * as core from '@actions/core';
import type { ReportFile } from '../report/model.js';
import { scrubSecrets } from '../secrets.js';

export function annotate(files: ReportFile[]): { errors: number; warnings: number; notices: number } {
  const counts = { errors: 0, warnings: 0, notices: 0 };
  for (const file of files) {
    for (const finding of file.findings ?? []) {
      const message = scrubSecrets(`${finding.message}\nSafe alternative: ${finding.hint}`);
      const properties = { title: finding.rule, file: file.path, startLine: finding.line, endLine: Math.max(finding.line, finding.endLine) };
      if (finding.severity === 'error') {
        core.error(message, properties);
        counts.errors++;
      } else if (finding.severity === 'warning') {
        core.warning(message, properties);
        counts.warnings++;
      } else {
        core.notice(message, properties);
        counts.notices++;
      }
    }
    const failed = file.dryRun?.statements.find((statement) => statement.error);
    if (file.dryRun && !file.dryRun.ok) {
      core.error(scrubSecrets(file.dryRun.error ?? 'dry-run failed'), { title: 'dry-run', file: file.path, ...(failed ? { startLine: failed.line } : {}) });
      counts.errors++;
    }
  }
  return counts;
}
