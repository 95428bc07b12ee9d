/**
 * The dry-run report as GitHub-flavoured markdown (pure): a verdict line, then one table per migration
 * with every statement, its line, the locks it took, the relations it rewrote and the flags raised.
 * With the lint result, each migration also lists its findings, each confirmed or contradicted by the
 * dry-run with the lock mode or rewrite it observed (or not comparable, when the statement ran differently).
 * Everything that comes from a migration (SQL, identifiers, error messages) is escaped: it must not
 * inject HTML, mention people or break the table.
 */
import path from 'node:path';
import type { DryRunMigration, DryRunReport, DryRunStatement } from '../db/dry-run.js';
import { lockModeLabel, sizeText, type TouchedTable, type TracedLock, type TraceFlag } from '../db/lock-trace.js';
import type { FileResult, Finding } from '../lint/types.js';
import { observedEffect, observedText } from './evidence-text.js';
import { clip, escapeMarkdown, inlineCode } from './markdown-escape.js';

export interface DryRunMarkdownOptions {
  /** Heading level of the report title (default 3). */
  headingLevel?: number;
  /** Longest statement text shown in a cell (default 120 characters). */
  maxSqlLength?: number;
  /** Show locks on relations created by the dry-run itself (default false: they are harmless). */
  showNewRelationLocks?: boolean;
  /**
   * The lint findings of the migrations that ran, merged with this dry-run's evidence (src/lint/evidence.ts):
   * each migration then lists its findings, each marked confirmed or contradicted by what PostgreSQL did.
   */
  lint?: { files: FileResult[] };
}

const FLAG_ICON: Record<string, string> = {
  'access-exclusive': '🛑',
  rewrite: '🛑',
  'share-lock': '⚠️',
  'lock-held': '⚠️',
  'no-lock-timeout': '⚠️',
  'fk-without-index': '⚠️',
};

export function renderDryRunMarkdown(report: DryRunReport, options: DryRunMarkdownOptions = {}): string {
  const level = '#'.repeat(Math.min(6, Math.max(1, options.headingLevel ?? 3)));
  const out: string[] = [];
  const flagCount = report.migrations.reduce((sum, m) => sum + m.statements.reduce((s, st) => s + flagsOf(st).length, 0), 0) + reportFlags(report).length;
  const verdict = report.ok ? '✅ Dry-run passed' : '🛑 Dry-run failed';
  out.push(`${level} ${verdict}`, '');
  if (report.migrations.length === 0) {
    out.push('Nothing pending.');
    return out.join('\n');
  }
  out.push(
    `${report.migrations.length} migration(s), ${report.migrations.reduce((n, m) => n + m.statements.length, 0)} statement(s) run in a transaction that was rolled back${flagCount ? `; ${flagCount} flag(s)` : ''}.`,
  );
  const findingsByPath = new Map((options.lint?.files ?? []).map((file) => [path.resolve(file.path), file.findings]));
  for (const migration of report.migrations) {
    out.push('', ...migrationSection(migration, level, options));
    const findings = findingsByPath.get(path.resolve(migration.path));
    if (findings?.length) out.push('', ...findingsSection(findings, migration));
  }
  const extra = reportFlags(report);
  if (extra.length) {
    out.push('', `${level}# After the last statement`, '');
    for (const flag of extra) out.push(`- ${FLAG_ICON[flag.kind] ?? '⚠️'} ${escapeMarkdown(flag.message)}`);
  }
  return out.join('\n');
}

function migrationSection(migration: DryRunMigration, level: string, options: DryRunMarkdownOptions): string[] {
  const icon = migration.ok ? '✅' : '🛑';
  const mode = migration.transactional ? '' : ' · runs outside a transaction';
  const out = [`${level}# ${icon} ${inlineCode(`${migration.version}_${migration.name}`)} (${Math.round(migration.durationMs)} ms${mode})`, ''];
  if (migration.error) out.push(`**Failed**: ${escapeMarkdown(clip(migration.error, 1000))}`, '');
  if (migration.statements.length === 0) {
    out.push('No statements.');
    return out;
  }
  out.push('| Line | Statement | Locks | Rewrites | Flags |', '|---:|---|---|---|---|');
  for (const statement of migration.statements) out.push(statementRow(statement, options));
  return out;
}

const SEVERITY_ICON: Record<Finding['severity'], string> = { error: '🛑', warning: '⚠️', info: 'ℹ️' };

/** The migration's lint findings, each with the dry-run's verdict on it. */
function findingsSection(findings: Finding[], migration: DryRunMigration): string[] {
  const out = ['Lint findings, checked against this dry-run:', ''];
  for (const finding of findings) {
    const head = `- ${SEVERITY_ICON[finding.severity]} ${inlineCode(finding.rule)} line ${finding.line} — ${escapeMarkdown(clip(finding.message, 300))}`;
    out.push(`${head}<br>${evidenceCell(finding, migration)}`);
  }
  return out;
}

function evidenceCell(finding: Finding, migration: DryRunMigration): string {
  const evidence = finding.evidence;
  if (evidence) {
    const effect = observedEffect(evidence);
    const word = evidence.status === 'confirmed' ? '✔️ **confirmed by the dry-run**' : '✖️ **contradicted by the dry-run** (downgraded)';
    return `${word}${effect ? ` — ${escapeMarkdown(effect)}` : ''}: ${escapeMarkdown(clip(observedText(evidence), 300))}`;
  }
  const statement = [...migration.statements].reverse().find((s) => s.line <= finding.line);
  if (statement?.note || statement?.error) return escapeMarkdown('not compared: the dry-run did not run this statement as written');
  return escapeMarkdown('not a lock or rewrite prediction: nothing for the dry-run to confirm');
}

function statementRow(statement: DryRunStatement, options: DryRunMarkdownOptions): string {
  const sql = clip(statement.sql.replace(/\s+/g, ' ').trim(), options.maxSqlLength ?? 120);
  const notes = [statement.note, statement.error ? `error: ${statement.error}` : undefined].filter((n): n is string => Boolean(n));
  const statementCell = [inlineCode(sql, { inTable: true }), ...notes.map((n) => `<br>${escapeMarkdown(clip(n, 300))}`)].join('');
  return `| ${statement.line} | ${statementCell} | ${locksCell(statement, options)} | ${rewritesCell(statement)} | ${flagsCell(statement)} |`;
}

function locksCell(statement: DryRunStatement, options: DryRunMarkdownOptions): string {
  const locks = (statement.locks as TracedLock[]).filter((l) => options.showNewRelationLocks || l.preExisting !== false);
  const hidden = statement.locks.length - locks.length;
  const cells = locks.map((lock) => {
    const blocks = lock.blocks.length ? ` — blocks ${lock.blocks.join(' and ')}` : '';
    const observed = lock.observedMode
      ? ` (dry-run without CONCURRENTLY took ${lockModeLabel(lock.observedMode)})`
      : lock.inferred
        ? ' (inferred: an earlier migration of this dry-run already held it)'
        : '';
    return `${escapeMarkdown(lockModeLabel(lock.mode))} on ${inlineCode(lock.relation, { inTable: true })}${escapeMarkdown(blocks + observed)}`;
  });
  if (hidden > 0) cells.push(escapeMarkdown(`+ ${hidden} on relations created here`));
  return cells.length ? cells.join('<br>') : '—';
}

function rewritesCell(statement: DryRunStatement): string {
  if (statement.rewrites.length === 0) return '—';
  const touched = new Map(((statement.touched as TouchedTable[] | undefined) ?? []).map((t) => [t.relation, t]));
  return statement.rewrites
    .map((name) => {
      const info = touched.get(name);
      return `${inlineCode(name, { inTable: true })}${info ? ` ${escapeMarkdown(`(${sizeText(info)})`)}` : ''}`;
    })
    .join('<br>');
}

function flagsCell(statement: DryRunStatement): string {
  const flags = flagsOf(statement);
  return flags.length ? flags.map((f) => `${FLAG_ICON[f.kind] ?? '⚠️'} ${escapeMarkdown(f.message)}`).join('<br>') : '—';
}

function flagsOf(statement: DryRunStatement): TraceFlag[] {
  return Array.isArray(statement.flags) ? (statement.flags as TraceFlag[]) : [];
}

function reportFlags(report: DryRunReport): TraceFlag[] {
  return Array.isArray(report.flags) ? (report.flags as TraceFlag[]) : [];
}
