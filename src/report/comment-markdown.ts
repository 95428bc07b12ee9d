/**
 * The pull-request report (sticky comment) as markdown, from the one report model (model.ts):
 * - the first line is the verdict in the words of the command that ran (lint, dry-run, apply, rollback,
 *   status …); a check that could not run says so and is never "Blocking";
 * - per file, each problem as its SQL (trimmed), its impact in one line (lock, what it blocks, rewrite,
 *   whether the dry-run confirmed it, table size and estimated lock time when known) and the fix as SQL;
 *   the long why is in docs/rules.md, linked by anchor;
 * - nothing wider than a comment column: lists and code blocks, no wide tables; the dry-run's lock
 *   trace appears once, merged with the findings, the full trace collapsed;
 * - byte-identical for identical inputs: no timings (they go to the job summary).
 * Pure: data in, string out. Everything that comes from a file is escaped (markdown-escape.ts); the
 * comment never exceeds GitHub's 65,536-character limit.
 */
import type { DryRunMigration, DryRunStatement } from '../db/dry-run.js';
import { lockModeLabel, sizeText, type TouchedTable, type TracedLock, type TraceFlag } from '../db/lock-trace.js';
import { formatBytes } from '../units.js';
import type { StatusItem } from '../db/status.js';
import { formatRange } from '../impact/estimate.js';
import type { LockWithImpact } from '../impact/traced.js';
import type { Severity } from '../lint/types.js';
import { clip, codeFence, escapeHtml, escapeMarkdown, inlineCode, link } from './markdown-escape.js';
import { countFindings, groupThousands, plural, verdictOf, type ReportFile, type ReportFinding, type ReportModel, type ReportOperation } from './model.js';

export { countFindings, verdictOf, type Counts, type ReportFile, type ReportFinding, type ReportModel, type ReportOperation, type Verdict, type FailOn } from './model.js';

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Where each rule's why, safe alternative and examples live (the heading anchors are the rule ids). */
export const RULES_DOC_URL = 'https://github.com/ddlgate/ddlgate/blob/main/docs/rules.md';

const ICON: Record<Severity, string> = { error: '🛑', warning: '⚠️', info: 'ℹ️' };

/** Options that differ between the comment and the job summary. */
export interface RenderOptions {
  /** Durations (dry-run per statement, apply per migration): summary only, so the comment stays byte-identical. */
  timings?: boolean;
}

/** The marker that identifies ddlgate's sticky comment for one migrations directory. */
export function commentMarker(dir: string): string {
  // The directory comes from the workflow file, but `--` or `>` would still end the HTML comment early.
  const safe = dir.replace(/-{2,}/g, (m) => m.split('').join('\u200b')).replace(/[<>\n\r]/g, '_');
  return `<!-- ddlgate:report:${safe} -->`;
}

// ---- the verdict line ------------------------------------------------------------------------------

function findingCounts(model: ReportModel): string {
  const counts = countFindings(model.files);
  const parts = [plural(counts.errors, 'error'), plural(counts.warnings, 'warning')];
  if (counts.infos) parts.push(plural(counts.infos, 'note'));
  return parts.join(', ');
}

function scope(model: ReportModel): string {
  const linted = model.files.filter((f) => f.findings !== null).length;
  return `${plural(linted, model.changedOnly ? 'changed migration file' : 'migration file')}`;
}

function lintVerdict(model: ReportModel): string {
  const counts = countFindings(model.files);
  const linted = model.files.filter((f) => f.findings !== null).length;
  if (counts.errors > 0) return `🛑 **Blocking** — ${findingCounts(model)} in ${scope(model)}`;
  if (counts.warnings > 0) return `⚠️ **Warnings** — ${findingCounts(model)} in ${scope(model)}, nothing blocking`;
  if (linted === 0) return model.changedOnly ? '✅ **No migrations changed** — this pull request adds or changes no migration file' : '✅ **No migrations** — the directory holds no migration file';
  return `✅ **Safe** — no findings in ${scope(model)}`;
}

function pendingCount(model: ReportModel): number {
  return model.dryRunReport?.migrations.length ?? model.files.filter((f) => f.dryRun).length;
}

function dryRunVerdict(model: ReportModel): string {
  const failed = model.files.filter((f) => f.dryRun && !f.dryRun.ok);
  if (failed.length) {
    const first = failed[0]!.dryRun!;
    return `🛑 **Blocking** — the dry-run failed in ${inlineCode(`${first.version}_${first.name}`)}${failed.length > 1 ? ` and ${plural(failed.length - 1, 'other migration')}` : ''}`;
  }
  const counts = countFindings(model.files);
  const pending = pendingCount(model);
  const ran = pending === 0 ? 'nothing pending' : `${plural(pending, 'pending migration')} ran and rolled back cleanly`;
  if (counts.errors > 0) return `🛑 **Blocking** — ${findingCounts(model)} in ${scope(model)}; the dry-run passed (${ran})`;
  if (counts.warnings > 0) return `⚠️ **Warnings** — ${findingCounts(model)}, nothing blocking; ${ran}`;
  if (pending === 0) return '✅ **Up to date** — nothing pending to dry-run, no findings';
  return `✅ **Safe** — ${ran}, no findings`;
}

function applyVerdict(model: ReportModel): string {
  const op = model.operation;
  if (!op) return lintVerdict(model);
  if (op.ok) return `✅ **${escapeMarkdown(op.headline)}**`;
  return `🛑 **${escapeMarkdown(op.headline)}**`;
}

function statusVerdict(model: ReportModel): string {
  const items = model.status ?? [];
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
  const line = items.length ? [...counts.entries()].map(([state, n]) => `${n} ${state}`).join(', ') : 'no migrations';
  const trouble = items.some((i) => i.state === 'failed' || i.state === 'modified' || i.state === 'missing');
  return `${trouble ? '⚠️' : 'ℹ️'} **Status** — ${line}`;
}

/** The first line of the report: what the command concluded, in its own words. */
export function verdictLine(model: ReportModel): string {
  if (model.couldNotRun) {
    const what = model.couldNotRun.kind === 'input' ? 'bad input' : 'infrastructure';
    return `❌ **Could not run** (${what}) — ${escapeMarkdown(clip(model.couldNotRun.reason, 600))}`;
  }
  switch (model.command) {
    case 'lint':
      return lintVerdict(model);
    case 'dry-run':
      return dryRunVerdict(model);
    case 'status':
      return statusVerdict(model);
    case 'apply':
      return applyVerdict(model);
    case 'rollback':
      return model.operation ? `${model.operation.ok ? '↩️' : '🛑'} **${escapeMarkdown(model.operation.headline)}**` : '↩️ **Rollback**';
    default:
      return model.operation ? `${model.operation.ok ? '✅' : '🛑'} **${escapeMarkdown(model.operation.headline)}**` : `✅ **${escapeMarkdown(model.command)}**`;
  }
}

// ---- one finding -----------------------------------------------------------------------------------

function lineUrl(file: ReportFile, line?: number, endLine?: number): string | undefined {
  if (!file.url) return undefined;
  if (line === undefined) return file.url;
  return `${file.url}#L${line}${endLine && endLine > line ? `-L${endLine}` : ''}`;
}

function lines(f: { line: number; endLine: number }): string {
  return f.endLine > f.line ? `L${f.line}-L${f.endLine}` : `L${f.line}`;
}

/** Lock, what it blocks, rewrite, dry-run evidence, table size and estimated lock time: one line. */
export function impactLine(finding: ReportFinding): string | undefined {
  const parts: string[] = [];
  if (finding.traced) parts.push(escapeMarkdown(finding.traced));
  if (finding.traced && !finding.evidence) parts.push('seen in the dry-run');
  if (finding.evidence?.status === 'confirmed') parts.push(`**confirmed by the dry-run**${finding.evidence.observed ? ` (${escapeMarkdown(clip(finding.evidence.observed, 200))})` : ''}`);
  else if (finding.evidence?.status === 'contradicted') parts.push(`**contradicted by the dry-run**${finding.evidence.observed ? `: ${escapeMarkdown(clip(finding.evidence.observed, 200))}` : ''}`);
  const impact = finding.impact;
  // The production snapshot's impact, in the words the impact pass chose (size, activity, estimated range).
  if (impact?.summary) parts.push(escapeMarkdown(clip(impact.summary, 400)));
  else if (impact) {
    const size = [impact.rows != null ? `~${groupThousands(impact.rows)} rows` : '', impact.bytes != null ? formatBytes(impact.bytes) : ''].filter(Boolean).join(', ');
    const estimate = impact.estimateSeconds ? `est. lock ${formatRange(impact.estimateSeconds)}` : '';
    parts.push([`${inlineCode(impact.table)}${size ? `: ${escapeMarkdown(size)}` : ''}`, estimate].filter(Boolean).join(', '));
  }
  return parts.length ? parts.join(' · ') : undefined;
}

/** The lint's own message: the impact pass appended its summary for text and JSON readers; here it has its slot. */
function messageWithoutImpact(f: ReportFinding): string {
  const suffix = f.impact?.summary ? ` — ${f.impact.summary}` : '';
  return suffix && f.message.endsWith(suffix) ? f.message.slice(0, -suffix.length) : f.message;
}

/** The hint's first sentence: the long why lives in docs/rules.md. */
function shortHint(hint: string): string {
  const first = /^(.+?[.;])(\s|$)/.exec(hint.trim());
  return clip(first ? first[1]! : hint.trim(), 240);
}

function findingBlock(file: ReportFile, f: ReportFinding): string[] {
  const where = link(lines(f), lineUrl(file, f.line, f.endLine));
  const doc = link('why', `${RULES_DOC_URL}#${f.rule}`);
  const out = [`${ICON[f.severity]} ${inlineCode(f.rule)} · ${where} — ${escapeMarkdown(clip(messageWithoutImpact(f), 400))} (${doc})`];
  if (f.excerpt) out.push('', codeFence(f.excerpt, 'sql'));
  const impact = impactLine(f);
  if (impact) out.push('', `**Impact:** ${impact}`);
  if (f.fix) out.push('', '**Fix:**', '', codeFence([f.fix.sql, ...(f.fix.note ? [f.fix.note] : [])].join('\n'), 'sql'));
  else if (f.hint) out.push('', `**Fix:** ${escapeMarkdown(shortHint(f.hint))}`);
  return out;
}

// ---- the lock trace, merged ----------------------------------------------------------------------

function tracedLocks(statement: DryRunStatement): TracedLock[] {
  // A relation the migration itself created is invisible to everyone else until COMMIT: its lock blocks nobody.
  return (statement.locks as TracedLock[]).filter((lock) => lock.preExisting !== false);
}

/**
 * One line for what a statement locked or rewrote, or undefined when it touched nothing that exists.
 * A lock the production snapshot knows says its size and estimated duration in production instead of the
 * throwaway database's (`production: false` when the finding's own impact already says so).
 */
export function traceText(statement: DryRunStatement, options: { production?: boolean } = {}): string | undefined {
  const touched = new Map(((statement.touched as TouchedTable[] | undefined) ?? []).map((t) => [t.relation, t]));
  const size = (relation: string) => (touched.has(relation) ? ` (${sizeText(touched.get(relation)!)})` : '');
  const locks = tracedLocks(statement).filter((lock) => lock.blocks.length > 0);
  const parts = locks.map((lock) => {
    const production = options.production !== false ? (lock as LockWithImpact).impact : undefined;
    if (production) return `${lockModeLabel(lock.mode)} lock on ${production.summary}`;
    return `${lockModeLabel(lock.mode)} lock on ${lock.relation}${size(lock.relation)} — blocks ${lock.blocks.join(' and ')}`;
  });
  if (statement.rewrites.length) parts.push(`rewrites ${statement.rewrites.map((r) => `${r}${locks.some((l) => l.relation === r) ? '' : size(r)}`).join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** Trace flags that say more than the lock itself (held too long, no lock_timeout, unindexed foreign key). */
const EXTRA_FLAGS = new Set(['lock-held', 'no-lock-timeout', 'fk-without-index']);

function statementText(statement: DryRunStatement): string {
  return clip(statement.sql.replace(/\s+/g, ' ').trim(), 100);
}

function dryRunBlock(file: ReportFile, options: RenderOptions): string[] {
  const run = file.dryRun;
  if (!run) return [];
  const out: string[] = [];
  const failed = run.statements.find((s) => s.error);
  const time = options.timings ? ` in ${Math.round(run.durationMs)} ms` : '';
  if (!run.ok) {
    out.push('', `🛑 **The dry-run failed**${failed ? ` at ${link(`L${failed.line}`, lineUrl(file, failed.line))}` : ''}: ${escapeMarkdown(clip(run.error ?? 'unknown error', 1000))}`);
    if (failed) out.push('', codeFence(clip(failed.sql.trim(), 4000), 'sql'));
  }
  // Statements whose locks or rewrites no finding mentions: shown here once (the findings carry their own).
  const findingLines = new Set((file.findings ?? []).map((f) => f.line));
  const unmatched = run.statements.filter((s) => !findingLines.has(s.line) && traceText(s));
  if (unmatched.length) {
    out.push('', 'The dry-run also saw:');
    for (const s of unmatched.slice(0, 20)) out.push(`- ⚠️ ${link(`L${s.line}`, lineUrl(file, s.line))} ${inlineCode(statementText(s))} — ${escapeMarkdown(traceText(s)!)}`);
    if (unmatched.length > 20) out.push(`- …and ${unmatched.length - 20} more (see the job summary)`);
  }
  // The full trace, collapsed: every statement, including harmless ones and the dry-run's own notes.
  if (run.statements.length) {
    const mode = run.transactional ? '' : ', outside a transaction';
    const summary = run.ok ? `Dry-run: ${plural(run.statements.length, 'statement')} ran and rolled back${mode}${time}` : `Dry-run trace (${plural(run.statements.length, 'statement')}${mode}${time})`;
    const items = run.statements.map((s) => {
      const locks = (s.locks as TracedLock[]).map((lock) => `${lockModeLabel(lock.mode)} on ${lock.relation}${lock.preExisting === false ? ' (created here)' : ''}`);
      const bits = [locks.length ? locks.join(', ') : 'no lock on existing relations', ...(s.rewrites.length ? [`rewrites ${s.rewrites.join(', ')}`] : []), ...(s.note ? [s.note] : []), ...(s.error ? [`error: ${s.error}`] : [])];
      const flagged = ((s.flags as TraceFlag[] | undefined) ?? []).filter((flag) => EXTRA_FLAGS.has(flag.kind)).map((flag) => flag.message);
      const ms = options.timings ? ` (${Math.round(s.durationMs)} ms)` : '';
      return `- ${link(`L${s.line}`, lineUrl(file, s.line))} ${inlineCode(statementText(s))}${ms} — ${escapeMarkdown(clip([...bits, ...flagged].join('; '), 600))}`;
    });
    out.push('', `<details><summary>${escapeHtml(summary)}</summary>`, '', ...items, '', '</details>');
  } else if (run.ok) {
    out.push('', 'Dry-run: no statements.');
  }
  return out;
}

// ---- files ---------------------------------------------------------------------------------------

function fileIcon(file: ReportFile): string {
  const findings = file.findings ?? [];
  if (findings.some((f) => f.severity === 'error') || file.dryRun?.ok === false) return '🛑';
  if (findings.some((f) => f.severity === 'warning')) return '⚠️';
  return '✅';
}

function fileFacts(file: ReportFile): string {
  const bits: string[] = [];
  if (file.status) bits.push(escapeMarkdown(file.status));
  if (file.findings === null) bits.push('not linted');
  else if (file.findings.length === 0) bits.push('no findings');
  if (file.dryRun) bits.push(file.dryRun.ok ? 'dry-run ok' : 'dry-run **failed**');
  return bits.join(' · ');
}

function fileSection(file: ReportFile, options: RenderOptions): string {
  const out = [`### ${fileIcon(file)} ${link(file.path, lineUrl(file))}`, '', fileFacts(file)];
  for (const finding of file.findings ?? []) out.push('', ...findingBlock(file, finding));
  out.push(...dryRunBlock(file, options));
  return out.join('\n');
}

function operationBlock(op: ReportOperation | undefined, options: RenderOptions): string[] {
  if (!op) return [];
  const out: string[] = [];
  // Timings (apply durations) are summary-only: a rerun must not rewrite the comment.
  const details = (op.details ?? []).map((line) => (options.timings ? line : line.replace(/ in \d+ ms/g, '').replace(/, \d+ ms in the dry-run/g, '')));
  if (details.length) out.push('', '<details><summary>Details</summary>', '', codeFence(details.join('\n')), '', '</details>');
  for (const part of op.sql ?? []) out.push('', `<details><summary>${escapeHtml(part.title)}</summary>`, '', codeFence(part.sql, 'sql'), '', '</details>');
  return out;
}

const STATE_ICON: Record<StatusItem['state'], string> = { applied: '✅', pending: '⏳', failed: '🛑', modified: '⚠️', missing: '❓' };

function statusBlock(items: StatusItem[] | undefined): string[] {
  if (!items?.length) return [];
  const list = items.map((item) => `- ${STATE_ICON[item.state]} ${item.state} ${inlineCode(`${item.version}_${item.name}`)}${item.appliedAt ? ` · ${escapeMarkdown(item.appliedAt)}` : ''}${item.detail ? ` — ${escapeMarkdown(clip(item.detail, 300))}` : ''}`);
  return ['', `<details><summary>${escapeHtml(`Migration status (${plural(items.length, 'migration')})`)}</summary>`, '', ...list, '', '</details>'];
}

function header(model: ReportModel): string[] {
  const out = [`## ddlgate · ${inlineCode(model.dir)} · ${escapeMarkdown(model.command)}`, '', verdictLine(model)];
  if (model.couldNotRun && model.files.length) out.push('', 'What could be checked before it stopped:');
  for (const note of model.notes ?? []) out.push('', `> ${escapeMarkdown(note)}`);
  return out;
}

/** The full report without marker (the job summary uses it too, with timings). */
export function renderReportBody(model: ReportModel, options: RenderOptions = {}): string {
  // Files with nothing to say (linted clean, no dry-run) share one collapsed list instead of a section each.
  const quiet = model.files.filter((file) => file.findings?.length === 0 && !file.dryRun);
  const sections = model.files.filter((file) => !quiet.includes(file)).map((file) => fileSection(file, options));
  if (quiet.length) {
    const items = quiet.map((file) => `- ✅ ${link(file.path, lineUrl(file))}${file.status ? ` · ${escapeMarkdown(file.status)}` : ''}`);
    sections.push([`<details><summary>${escapeHtml(`${plural(quiet.length, 'file')} without findings`)}</summary>`, '', ...items, '', '</details>'].join('\n'));
  }
  return [...header(model), ...operationBlock(model.operation, options), ...statusBlock(model.status), ...sections.flatMap((s) => ['', s]), ''].join('\n');
}

/**
 * One line per finding, under its file's linked heading: what the summary falls back to at any size.
 * No per-line link (the line number is next to the file's link): at thousands of findings the URLs
 * alone would not fit in the summary's 1 MiB.
 */
export function findingLines(file: ReportFile): string[] {
  return (file.findings ?? []).map((f) => `- ${ICON[f.severity]} ${lines(f)} ${inlineCode(f.rule)} — ${escapeMarkdown(clip(f.message, 140))}`);
}

/** The per-file summary used when the full report does not fit in one comment. */
export function renderCompactBody(model: ReportModel, limit: number, where = 'the job summary'): string {
  const intro = [...header(model), ...operationBlock(model.operation, {}), '', `This report is too long for a comment: ${link(where, model.runUrl)} lists every finding. Files with problems first:`, ''];
  const ordered = [...model.files].sort((a, b) => weight(a) - weight(b));
  const rows = ordered.map((file) => {
    const findings = file.findings ?? [];
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const first = findings.find((f) => f.severity === 'error') ?? findings[0];
    const facts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '', file.dryRun && !file.dryRun.ok ? 'dry-run failed' : ''].filter(Boolean).join(', ') || 'no findings';
    return `- ${fileIcon(file)} ${link(clip(file.path, 200), lineUrl(file))} — ${facts}${first ? ` · first: ${inlineCode(first.rule)} ${link(`L${first.line}`, lineUrl(file, first.line))}` : ''}`;
  });
  const kept: string[] = [];
  let length = intro.join('\n').length + 200;
  for (const row of rows) {
    if (length + row.length + 1 > limit) break;
    kept.push(row);
    length += row.length + 1;
  }
  const dropped = rows.length - kept.length;
  return [...intro, ...kept, ...(dropped ? [`- …and ${plural(dropped, 'more file')}`] : []), ''].join('\n');
}

function weight(file: ReportFile): number {
  const icon = fileIcon(file);
  return icon === '🛑' ? 0 : icon === '⚠️' ? 1 : 2;
}

/** The sticky comment: marker, then the full report, or the compact one when the full one is too long. */
export function renderComment(model: ReportModel): string {
  const marker = commentMarker(model.dir);
  const budget = GITHUB_COMMENT_LIMIT - marker.length - 1;
  const full = renderReportBody(model);
  if (full.length <= budget) return `${marker}\n${full}`;
  const compact = renderCompactBody(model, budget);
  if (compact.length <= budget) return `${marker}\n${compact}`;
  // Only reachable with absurd inputs (a gigantic error message in the header): cut, never fail.
  const cut = compact.slice(0, budget - 80);
  return `${marker}\n${cut.slice(0, cut.lastIndexOf('\n') + 1)}\n…report cut to fit GitHub's comment limit.\n`;
}

/** Re-exported for the summary: the verdict label as a word. */
export function verdictWord(model: ReportModel): string {
  return verdictOf(model);
}

export type { DryRunMigration };
