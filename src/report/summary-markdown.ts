/**
 * The job summary ($GITHUB_STEP_SUMMARY): the same report as the PR comment, without the marker and
 * with the full list of findings (annotations show only ten of each kind per step). Pure.
 */
import { renderCompactBody, renderReportBody, type ReportModel } from './comment-markdown.js';
import { renderDryRunMarkdown } from './dry-run-markdown.js';
import { escapeMarkdown } from './markdown-escape.js';

/** GitHub refuses a step summary over 1 MiB; stay well under it (the limit counts bytes). */
export const SUMMARY_LIMIT = 900_000;

export function renderSummary(model: ReportModel, extra: { failure?: string } = {}): string {
  const failure = extra.failure ? `> [!CAUTION]\n> ${escapeMarkdown(extra.failure)}\n\n` : '';
  // The summary has room for the dry-run's full lock trace (flags per statement, table sizes, foreign keys).
  const details = model.dryRunReport && model.dryRunReport.migrations.length ? `\n## Dry-run details\n\n${renderDryRunMarkdown(model.dryRunReport, { headingLevel: 3 })}\n` : '';
  const full = failure + renderReportBody(model) + details;
  if (Buffer.byteLength(full) <= SUMMARY_LIMIT) return full;
  return failure + renderCompactBody(model, SUMMARY_LIMIT / 4);
}

/** The summary of a run that failed before any report existed (bad input, gate refusal). */
export function renderFailureSummary(command: string, dir: string, message: string): string {
  return `## ddlgate · ${escapeMarkdown(dir)} · ${escapeMarkdown(command)}\n\n🛑 **Failed**: ${escapeMarkdown(message)}\n`;
}
