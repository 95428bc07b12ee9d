/**
 * The pull-request report (sticky comment) as markdown: a one-line verdict, then one section per
 * migration with its findings (rule, message, safe alternative, link to the exact lines at the PR
 * head), its dry-run result and lock/rewrite table. Pure: it takes data and returns a string.
 * Everything that comes from a file is escaped (markdown-escape.ts); the comment never exceeds
 * GitHub's 65,536-character limit: a report that would is reduced to a per-file summary.
 */
import type { DryRunMigration, DryRunReport, DryRunStatement } from '../db/dry-run.js';
import { lockModeLabel } from '../db/lock-trace.js';
import type { StatusItem } from '../db/status.js';
import type { Finding, Severity } from '../lint/types.js';
import { clip, codeFence, escapeHtml, escapeMarkdown, inlineCode, link } from './markdown-escape.js';

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export type Verdict = 'blocking' | 'warnings' | 'safe';
export type FailOn = 'error' | 'warning' | 'never';

export interface ReportFile {
  /** Path inside the repository (used for links and annotations). */
  path: string;
  version?: string;
  name?: string;
  /** e.g. "added", "modified", "pending", "applied". */
  status?: string;
  /** null: the file was not linted (e.g. a down file outside the PR's changes). */
  findings: Finding[] | null;
  dryRun?: DryRunMigration;
}

export interface ReportOperation {
  /** One-line result, e.g. "Applied 2 migrations in batch 3." */
  headline: string;
  ok: boolean;
  /** Details shown in a collapsed block: plain text lines, escaped when rendered. */
  details?: string[];
  /** SQL shown in a collapsed code block (rollback: the down SQL that runs). */
  sql?: Array<{ title: string; sql: string }>;
}

export interface ReportModel {
  /** The migrations directory as given in the input (the marker and heading use it). */
  dir: string;
  command: string;
  files: ReportFile[];
  /** The dry-run ran (true/false) or did not (undefined); `dryRunError` when it could not run at all. */
  dryRunOk?: boolean;
  /** The whole dry-run report: the job summary renders its full lock trace (dry-run-markdown.ts). */
  dryRunReport?: DryRunReport;
  dryRunError?: string;
  operation?: ReportOperation;
  /** Migration states after the command (status, verify, apply). */
  status?: StatusItem[];
  /** `https://github.com/<owner>/<repo>/blob/<head sha>`: findings link to their lines there. */
  blobBase?: string;
  /** Link to the workflow run (its job summary carries the full report when the comment is cut). */
  runUrl?: string;
  failOn: FailOn;
  /** Short remarks shown under the verdict (changed-only scope, allowed breaking changes …). */
  notes?: string[];
}

const ICON: Record<Severity, string> = { error: '🛑', warning: '⚠️', info: 'ℹ️' };

/** The marker that identifies ddlgate's sticky comment for one migrations directory. */
export function commentMarker(dir: string): string {
  // The directory comes from the workflow file, but `--` or `>` would still end the HTML comment early.
  const safe = dir.replace(/-{2,}/g, (m) => m.split('').join('\u200b')).replace(/[<>\n\r]/g, '_');
  return `<!-- ddlgate:report:${safe} -->`;
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
}

export function countFindings(files: ReportFile[]): Counts {
  const counts: Counts = { errors: 0, warnings: 0, infos: 0 };
  for (const file of files) {
    for (const finding of file.findings ?? []) {
      if (finding.severity === 'error') counts.errors++;
      else if (finding.severity === 'warning') counts.warnings++;
      else counts.infos++;
    }
  }
  return counts;
}

export function verdictOf(model: ReportModel): Verdict {
  const counts = countFindings(model.files);
  if (counts.errors > 0 || model.dryRunOk === false || model.dryRunError || model.operation?.ok === false) return 'blocking';
  if (counts.warnings > 0) return 'warnings';
  return 'safe';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function verdictLine(model: ReportModel): string {
  const counts = countFindings(model.files);
  const verdict = verdictOf(model);
  const parts = [plural(counts.errors, 'error'), plural(counts.warnings, 'warning')];
  if (counts.infos) parts.push(`${counts.infos} info`);
  const scope = plural(model.files.length, 'migration file');
  const dryRun = model.dryRunError ? ' · dry-run could not run' : model.dryRunOk === false ? ' · dry-run **failed**' : model.dryRunOk ? ' · dry-run passed' : '';
  const operation = model.operation && !model.operation.ok ? ` · ${model.command} **failed**` : '';
  if (verdict === 'blocking') return `🛑 **Blocking** — ${parts.join(', ')} in ${scope}${dryRun}${operation}`;
  if (verdict === 'warnings') return `⚠️ **Warnings** — ${parts.join(', ')} in ${scope}${dryRun}${operation}`;
  return `✅ **Safe** — no findings in ${scope}${dryRun}${operation}`;
}

function lineUrl(model: ReportModel, path: string, line?: number, endLine?: number): string | undefined {
  if (!model.blobBase) return undefined;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  if (line === undefined) return `${model.blobBase}/${encoded}`;
  return `${model.blobBase}/${encoded}#L${line}${endLine && endLine > line ? `-L${endLine}` : ''}`;
}

function fileIcon(file: ReportFile): string {
  const findings = file.findings ?? [];
  if (findings.some((f) => f.severity === 'error') || file.dryRun?.ok === false) return '🛑';
  if (findings.some((f) => f.severity === 'warning')) return '⚠️';
  return '✅';
}

function fileTitle(file: ReportFile): string {
  const findings = file.findings ?? [];
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const bits: string[] = [];
  if (file.status) bits.push(escapeMarkdown(file.status));
  if (file.findings === null) bits.push('not linted');
  else if (errors || warnings) bits.push([errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean).join(', '));
  else bits.push('no findings');
  if (file.dryRun) bits.push(file.dryRun.ok ? `dry-run ok (${Math.round(file.dryRun.durationMs)} ms)` : 'dry-run **failed**');
  return bits.join(' · ');
}

/** Findings table; collapsed when long so the verdicts of all files stay visible. */
function findingsBlock(model: ReportModel, file: ReportFile): string[] {
  const findings = file.findings ?? [];
  if (findings.length === 0) return [];
  const rows = findings.map((f) => {
    const where = link(f.endLine > f.line ? `L${f.line}-L${f.endLine}` : `L${f.line}`, lineUrl(model, file.path, f.line, f.endLine));
    return `| ${ICON[f.severity]} | ${inlineCode(f.rule, { inTable: true })} | ${where} | ${escapeMarkdown(f.message)} | ${escapeMarkdown(f.hint)} |`;
  });
  const table = ['| | Rule | Lines | Problem | Safe alternative |', '|---|---|---|---|---|', ...rows];
  if (findings.length <= 5) return ['', ...table];
  return ['', `<details><summary>${escapeHtml(plural(findings.length, 'finding'))}</summary>`, '', ...table, '', '</details>'];
}

function statementCell(statement: DryRunStatement): string {
  const first = statement.sql.split('\n').find((line) => line.trim()) ?? statement.sql;
  return inlineCode(clip(first.trim(), 80), { inTable: true });
}

function locksCell(statement: DryRunStatement): string {
  if (statement.locks.length === 0) return '—';
  return statement.locks
    .map((lock) => {
      // A relation the migration itself created is invisible to everyone else until COMMIT: its lock blocks nobody.
      const effect = (lock as { preExisting?: boolean }).preExisting === false ? ' (created here)' : lock.blocks.length ? ` (blocks ${lock.blocks.join(' + ')})` : '';
      return `${escapeMarkdown(lockModeLabel(lock.mode))} on ${inlineCode(lock.relation, { inTable: true })}${effect}`;
    })
    .join('<br>');
}

/** Dry-run result of one migration: a line, the lock/rewrite table (collapsed), the failing statement. */
function dryRunBlock(model: ReportModel, file: ReportFile): string[] {
  const run = file.dryRun;
  if (!run) return [];
  const out: string[] = [''];
  const failed = run.statements.find((s) => s.error);
  if (run.ok) out.push(`Dry-run: ${plural(run.statements.length, 'statement')} ran and ${run.statements.length === 1 ? 'was' : 'were'} rolled back in ${Math.round(run.durationMs)} ms${run.transactional ? '' : ' (this file runs outside a transaction)'}.`);
  else out.push(`**Dry-run failed**: ${escapeMarkdown(clip(run.error ?? 'unknown error', 1000))}`);
  if (failed) out.push('', codeFence(clip(failed.sql, 4000), 'sql'));
  // The lock trace's findings (when the trace ran): what the statements really locked or rewrote.
  const flags = run.statements.flatMap((s) => ((s.flags as Array<{ message?: unknown }> | undefined) ?? []).map((flag) => ({ line: s.line, message: String(flag.message ?? '') })));
  if (flags.length) {
    out.push('', ...flags.slice(0, 20).map((flag) => `- ⚠️ ${link(`L${flag.line}`, lineUrl(model, file.path, flag.line))}: ${escapeMarkdown(clip(flag.message, 500))}`));
    if (flags.length > 20) out.push(`- …and ${flags.length - 20} more (see the JSON report)`);
  }
  const traced = run.statements.some((s) => s.locks.length > 0 || s.rewrites.length > 0);
  if (run.statements.length > 0) {
    const rows = run.statements.map((s) => {
      const where = link(`L${s.line}`, lineUrl(model, file.path, s.line));
      const rewrites = s.rewrites.length ? s.rewrites.map((r) => inlineCode(r, { inTable: true })).join('<br>') : '—';
      const note = s.note ? ` ${escapeMarkdown(clip(s.note, 200))}` : '';
      return `| ${where} | ${statementCell(s)}${note} | ${locksCell(s)} | ${rewrites} | ${Math.round(s.durationMs)} ms |`;
    });
    const title = traced ? 'Locks and rewrites per statement' : 'Statements';
    out.push('', `<details><summary>${escapeHtml(title)}</summary>`, '', '| Line | Statement | Locks | Rewrites | Time |', '|---|---|---|---|---|', ...rows, '', '</details>');
  }
  return out;
}

function fileSection(model: ReportModel, file: ReportFile): string {
  const heading = `### ${fileIcon(file)} ${link(file.path, lineUrl(model, file.path))}`;
  return [heading, '', fileTitle(file), ...findingsBlock(model, file), ...dryRunBlock(model, file)].join('\n');
}

function operationBlock(op: ReportOperation | undefined): string[] {
  if (!op) return [];
  const out = ['', `**${op.ok ? 'Done' : 'Failed'}**: ${escapeMarkdown(op.headline)}`];
  if (op.details?.length) out.push('', '<details><summary>Details</summary>', '', codeFence(op.details.join('\n')), '', '</details>');
  for (const part of op.sql ?? []) out.push('', `<details><summary>${escapeHtml(part.title)}</summary>`, '', codeFence(part.sql, 'sql'), '', '</details>');
  return out;
}

const STATE_ICON: Record<StatusItem['state'], string> = { applied: '✅', pending: '⏳', failed: '🛑', modified: '⚠️', missing: '❓' };

function statusBlock(items: StatusItem[] | undefined): string[] {
  if (!items) return [];
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
  const line = items.length ? [...counts.entries()].map(([state, n]) => `${n} ${state}`).join(', ') : 'no migrations';
  const rows = items.map((item) => `| ${STATE_ICON[item.state]} ${item.state} | ${inlineCode(item.version, { inTable: true })} | ${escapeMarkdown(item.name)} | ${item.appliedAt ?? '—'} | ${escapeMarkdown(clip(item.detail ?? '', 300))} |`);
  const table = items.length ? ['', '<details><summary>Migration status</summary>', '', '| State | Version | Name | Applied at | Detail |', '|---|---|---|---|---|', ...rows, '', '</details>'] : [];
  return ['', `Status: ${line}.`, ...table];
}

function header(model: ReportModel): string[] {
  const out = [`## ddlgate · ${inlineCode(model.dir)} · ${escapeMarkdown(model.command)}`, '', verdictLine(model)];
  if (model.dryRunError) out.push('', `Dry-run could not run: ${escapeMarkdown(clip(model.dryRunError, 1000))}`);
  for (const note of model.notes ?? []) out.push('', `> ${escapeMarkdown(note)}`);
  if (model.files.length === 0) out.push('', 'No migration files to check.');
  return out;
}

/** The full report without marker (the job summary uses this too). */
export function renderReportBody(model: ReportModel): string {
  // Files with nothing to say (linted clean, no dry-run) share one collapsed list instead of a section each.
  const quiet = model.files.filter((file) => file.findings?.length === 0 && !file.dryRun);
  const sections = model.files.filter((file) => !quiet.includes(file)).map((file) => fileSection(model, file));
  if (quiet.length) {
    const items = quiet.map((file) => `- ✅ ${link(file.path, lineUrl(model, file.path))}${file.status ? ` · ${escapeMarkdown(file.status)}` : ''}`);
    sections.push([`<details><summary>${escapeHtml(`${plural(quiet.length, 'file')} without findings`)}</summary>`, '', ...items, '', '</details>'].join('\n'));
  }
  return [...header(model), ...operationBlock(model.operation), ...statusBlock(model.status), ...sections.flatMap((s) => ['', s]), ''].join('\n');
}

/** The per-file summary used when the full report does not fit in one comment. */
export function renderCompactBody(model: ReportModel, limit: number): string {
  const intro = [
    ...header(model),
    ...operationBlock(model.operation),
    ...statusBlock(model.status && model.status.length <= 50 ? model.status : undefined),
    '',
    `The full report is longer than a comment may be; ${link('see the job summary', model.runUrl)} for every finding and the dry-run details.`,
    '',
    '| | File | Errors | Warnings | Dry-run | First finding |',
    '|---|---|---|---|---|---|',
  ];
  const rows = model.files.map((file) => {
    const findings = file.findings ?? [];
    const first = findings.find((f) => f.severity === 'error') ?? findings[0];
    const firstCell = first ? `${inlineCode(first.rule, { inTable: true })} ${link(`L${first.line}`, lineUrl(model, file.path, first.line, first.endLine))}` : '—';
    const dry = file.dryRun ? (file.dryRun.ok ? 'ok' : '**failed**') : '—';
    return `| ${fileIcon(file)} | ${link(clip(file.path, 200), lineUrl(model, file.path))} | ${findings.filter((f) => f.severity === 'error').length} | ${findings.filter((f) => f.severity === 'warning').length} | ${dry} | ${firstCell} |`;
  });
  // Keep as many rows as fit; problem files first so the cut drops the clean ones.
  const order = rows.map((row, i) => ({ row, i, weight: fileIcon(model.files[i]!) === '🛑' ? 0 : fileIcon(model.files[i]!) === '⚠️' ? 1 : 2 }));
  order.sort((a, b) => a.weight - b.weight || a.i - b.i);
  const kept: string[] = [];
  let length = intro.join('\n').length + 200;
  for (const { row } of order) {
    if (length + row.length + 1 > limit) break;
    kept.push(row);
    length += row.length + 1;
  }
  const omitted = rows.length - kept.length;
  const tail = omitted > 0 ? ['', `…and ${plural(omitted, 'more file')} (see the job summary).`] : [];
  return [...intro, ...kept, ...tail, ''].join('\n');
}

/**
 * The sticky comment: marker first line (comment.ts finds the comment by it), then the report. The
 * full report when it fits in `limit` characters, else the per-file summary, else a hard cut.
 */
export function renderComment(model: ReportModel, limit = GITHUB_COMMENT_LIMIT): string {
  const marker = commentMarker(model.dir);
  const budget = limit - marker.length - 1;
  const full = renderReportBody(model);
  if (full.length <= budget) return `${marker}\n${full}`;
  const compact = renderCompactBody(model, budget);
  if (compact.length <= budget) return `${marker}\n${compact}`;
  // Only reachable with absurd inputs (a gigantic error message in the header): cut, never fail.
  const cut = compact.slice(0, budget - 80);
  return `${marker}\n${cut.slice(0, cut.lastIndexOf('\n') + 1)}\n…report cut to fit GitHub's comment limit.\n`;
}
