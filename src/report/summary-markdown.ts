/**
 * The job summary ($GITHUB_STEP_SUMMARY): the same report model as the PR comment, with timings, and
 * at any size every finding — the full report when it fits, else one line per finding, file by file,
 * up to GitHub's summary limit, then a pointer to the JSON report (attached by the workflow as an
 * artifact). It also says what happened to the PR comment when that went wrong. Pure.
 */
import { findingLines, renderReportBody, verdictLine } from './comment-markdown.js';
import { clip, escapeMarkdown, inlineCode, link } from './markdown-escape.js';
import { countFindings, plural, type ReportModel } from './model.js';

/** GitHub refuses a step summary over 1 MiB (bytes); stay under it with room for the runner's own lines. */
export const SUMMARY_LIMIT = 1_000_000;

export interface SummaryExtra {
  /** Why the job fails (one line). */
  failure?: string;
  /** The PR comment could not be brought up to date: it is stale, and why. */
  commentProblem?: string;
  /** The JSON report file (output report-path), named when the summary cannot hold every finding. */
  reportPath?: string;
}

function preamble(extra: SummaryExtra): string {
  const out: string[] = [];
  if (extra.commentProblem) out.push('> [!WARNING]', `> ${escapeMarkdown(extra.commentProblem)}`, '');
  if (extra.failure) out.push('> [!CAUTION]', `> ${escapeMarkdown(extra.failure)}`, '');
  return out.length ? `${out.join('\n')}\n` : '';
}

export function renderSummary(model: ReportModel, extra: SummaryExtra = {}): string {
  const head = preamble(extra);
  const full = head + renderReportBody(model, { timings: true });
  if (Buffer.byteLength(full) <= SUMMARY_LIMIT) return full;
  return head + renderFindingList(model, SUMMARY_LIMIT - Buffer.byteLength(head), extra.reportPath);
}

/** Every finding, one line each, file by file, until the byte budget; then where the rest is. */
export function renderFindingList(model: ReportModel, budget: number, reportPath?: string): string {
  const counts = countFindings(model.files);
  const total = counts.errors + counts.warnings + counts.infos;
  const intro = [`## ddlgate · ${inlineCode(model.dir)} · ${escapeMarkdown(model.command)}`, '', verdictLine(model), '', `Every finding, one line each (${plural(total, 'finding')}; the SQL excerpts and fixes are in the JSON report):`];
  const out = [...intro];
  let used = Buffer.byteLength(out.join('\n')) + 600;
  let shown = 0;
  let cut = false;
  for (const file of model.files) {
    const lines = findingLines(file);
    const dry = file.dryRun && !file.dryRun.ok ? [`- 🛑 the dry-run failed: ${escapeMarkdown(clip(file.dryRun.error ?? '', 300))}`] : [];
    if (lines.length === 0 && dry.length === 0) continue;
    const block = ['', `**${link(file.path, file.url)}**`, ...dry];
    const blockSize = Buffer.byteLength(block.join('\n')) + 1;
    if (used + blockSize > budget) {
      cut = true;
      break;
    }
    out.push(...block);
    used += blockSize;
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1;
      if (used + size > budget) {
        cut = true;
        break;
      }
      out.push(line);
      used += size;
      shown++;
    }
    if (cut) break;
  }
  if (cut) {
    const where = reportPath ? ` (${inlineCode(reportPath.split(/[\\/]/).pop()!)}, output ${inlineCode('report-path')})` : '';
    out.push('', `…${plural(total - shown, 'more finding')} do not fit in GitHub's 1 MiB job summary: they are in the JSON report${where}, attached to ${link('this run', model.runUrl)} as an artifact by the check workflow.`);
  }
  return `${out.join('\n')}\n`;
}

/** The summary of a run that failed before any report existed (bad input, gate refusal). */
export function renderFailureSummary(command: string, dir: string, message: string, extra: SummaryExtra = {}): string {
  return `${preamble(extra)}## ddlgate · ${escapeMarkdown(dir)} · ${escapeMarkdown(command)}\n\n❌ **Could not run** — ${escapeMarkdown(message)}\n`;
}
