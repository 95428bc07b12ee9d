/**
 * Lint entry points: files and migrations directories → DESIGN.md's lint JSON shape.
 * Pure of printing and of @actions/core; reads files only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { discoverMigrations, displayPath } from '../migrations/discover.js';
import { downSourceOf, sourceText, upSourceOf } from '../migrations/script.js';
import type { LayoutName, SqlSource } from '../migrations/types.js';
import { globToRegExp, type LintSettings } from './config.js';
import { lintSource, DEFAULT_LINT_OPTIONS } from './engine.js';
import { RULES_BY_ID } from './rules/index.js';
import type { FileResult, Finding, LintResult, LintSummary } from './types.js';

export type { Finding, FileResult, LintResult, LintSummary, Severity, Rule, RuleDoc } from './types.js';
export { lintSource, ALLOWED_NOTE, type LintOptions } from './engine.js';
export { resolveLintSettings, type LintSettings, type LintOverrides } from './config.js';
export { RULES, RULES_BY_ID } from './rules/index.js';

const DEFAULT_SETTINGS: LintSettings = { ...DEFAULT_LINT_OPTIONS, exclude: [] };

/** Lints one migration's text (already read): the pure core of every entry point. */
export function lintText(displayName: string, text: string, settings: Partial<LintSettings> = {}, { down = false } = {}): FileResult {
  return { path: displayName, findings: lintSource(text.replace(/^\uFEFF/, ''), { ...settings, down }) };
}

/**
 * Lints paths: a file is linted whatever its name, as one migration; a directory is linted as a
 * migrations directory. With no path, lints `dir`.
 */
export function lintFiles(paths: string[], settings: Partial<LintSettings> = {}, options: { layout?: LayoutName } = {}): LintResult {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  const files: FileResult[] = [];
  for (const target of paths) {
    if (isDirectoryOrFile(target) === 'directory') files.push(...lintMigrationsDir(target, full, options).files);
    else if (!isExcluded(target, undefined, full.exclude)) files.push(lintFile(target, full));
  }
  return withSummary(files);
}

/**
 * Lints every migration of a directory, read the way the runner reads it (its layout, detected or given):
 * up and down SQL in version order; a file holding both (dbmate, ROLLBACK comments …) is one entry.
 */
export function lintMigrationsDir(dir: string, settings: Partial<LintSettings> = {}, options: { layout?: LayoutName } = {}): LintResult {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  const entries = discoverMigrations(dir, options.layout ? { layout: options.layout } : {});
  const byPath = new Map<string, FileResult>();
  for (const entry of entries) {
    // A goose Go migration has no SQL to lint (the set lists it; `up` refuses to run it).
    if (entry.unrunnable) continue;
    const sources: Array<[SqlSource | undefined, boolean]> = [
      [upSourceOf(entry), false],
      [downSourceOf(entry), true],
    ];
    for (const [source, down] of sources) {
      if (!source || isExcluded(source.path, dir, full.exclude)) continue;
      const result = lintSqlSource(source, full, down);
      const existing = byPath.get(result.path);
      if (!existing) byPath.set(result.path, result);
      else existing.findings = [...existing.findings, ...result.findings].sort((a, b) => a.line - b.line || a.column - b.column);
    }
  }
  return withSummary([...byPath.values()]);
}

function lintSqlSource(source: SqlSource, settings: Partial<LintSettings>, down: boolean): FileResult {
  const shown = displayPath(source.path);
  const read = readForLint(source.path);
  if ('finding' in read) return { path: shown, findings: [read.finding] };
  const text = sourceText(source, read.text);
  const findings = lintSource(text, { ...settings, down, ...(source.noTransaction ? { noTransaction: true } : {}) });
  // An empty down section is common (irreversible migrations); the runner only needs it for a rollback.
  return { path: shown, findings: down && source.section ? findings.filter((f) => f.rule !== 'empty-migration') : findings };
}

function readForLint(file: string): { text: string } | { finding: Finding } {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch {
    throw new InputError(`${displayPath(file)}: cannot read file`);
  }
  const problem = encodingProblem(buffer);
  return problem ? { finding: problem } : { text: buffer.toString('utf8').replace(/^\uFEFF/, '') };
}

/** Whether a path the user named is a directory or a file; a missing one is bad input (exit 2). */
export function isDirectoryOrFile(target: string): 'directory' | 'file' {
  try {
    return statSync(target).isDirectory() ? 'directory' : 'file';
  } catch {
    throw new InputError(`${target}: no such file or directory`);
  }
}

/** Every .sql file directly in a directory (the runner's layouts are flat), sorted. */
export function sqlFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.sql'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

/** Lints one file as one migration, whatever its name (`*.down.sql` is linted as a down migration). */
export function lintFile(file: string, settings: Partial<LintSettings> = {}): FileResult {
  const shown = displayPath(file);
  const read = readForLint(file);
  if ('finding' in read) return { path: shown, findings: [read.finding] };
  return lintText(shown, read.text, settings, { down: /\.down\.sql$/i.test(file) });
}

function encodingProblem(buffer: Buffer): Finding | undefined {
  const syntax = RULES_BY_ID.get('syntax')!;
  if (buffer.includes(0)) {
    return { rule: 'syntax', severity: 'error', line: 1, column: 1, endLine: 1, message: 'binary content (NUL byte): not a SQL text file', hint: syntax.safe };
  }
  const text = buffer.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buffer)) {
    const index = text.indexOf('\uFFFD');
    const before = text.slice(0, Math.max(0, index));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { rule: 'syntax', severity: 'error', line, column, endLine: line, message: 'invalid UTF-8', hint: 'Save the file as UTF-8.' };
  }
  return undefined;
}

export function isExcluded(file: string, dir: string | undefined, globs: string[]): boolean {
  if (globs.length === 0) return false;
  const candidates = [displayPath(file), path.basename(file)];
  if (dir) candidates.push(path.relative(dir, file));
  const normalized = candidates.map((candidate) => candidate.split(path.sep).join('/'));
  return globs.some((glob) => {
    const regex = globToRegExp(glob);
    return normalized.some((candidate) => regex.test(candidate));
  });
}

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

function withSummary(files: FileResult[]): LintResult {
  return { files, summary: summarize(files) };
}

/** Blocking = at least one finding of severity error. */
export function hasBlockingFindings(result: LintResult): boolean {
  return result.summary.errors > 0;
}
