/**
 * Lint entry points: files and migrations directories → DESIGN.md's lint JSON shape.
 * Pure of printing and of @actions/core; reads files only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { discoverMigrations, displayPath, type MigrationSet } from '../migrations/discover.js';
import { downSourceOf, sourceText, upSourceOf } from '../migrations/script.js';
import type { LayoutName, MigrationEntry, SqlSource } from '../migrations/types.js';
import { globToRegExp, type LintSettings } from './config.js';
import { lintSource, lintSourceWithSchema, DEFAULT_LINT_OPTIONS } from './engine.js';
import { SchemaModel } from './schema.js';
import { RULES_BY_ID } from './rules/index.js';
import { summarize } from './summary.js';
import type { FileResult, Finding, LintResult } from './types.js';

export { summarize };

export type { Finding, FileResult, LintResult, LintSummary, Severity, Rule, RuleDoc } from './types.js';
export { lintSource, lintSourceWithSchema, ALLOWED_NOTE, type LintOptions } from './engine.js';
export { SchemaModel } from './schema.js';
export { mergeEvidence, type TracedMigration } from './evidence.js';
export { loadCatalogSchema, type Queryable } from './catalog.js';
export { resolveLintSettings, type LintSettings, type LintOverrides } from './config.js';
export { RULES, RULES_BY_ID } from './rules/index.js';

const DEFAULT_SETTINGS: LintSettings = { ...DEFAULT_LINT_OPTIONS, exclude: [] };

/** Lints one migration's text (already read): the pure core of every entry point. */
export function lintText(displayName: string, text: string, settings: Partial<LintSettings> = {}, { down = false } = {}): FileResult {
  return { path: displayName, findings: lintSource(text.replace(/^\uFEFF/, ''), { ...settings, down }) };
}

/**
 * Lints paths: a directory is linted as a migrations directory; a file that is one of its directory's
 * migrations is linted against the schema the earlier migrations of that directory build, and counts as
 * pending (with every other named file of the directory: the change under review); any other file is
 * linted alone, whatever its name, as one migration. With no path, lints `dir`.
 */
export function lintFiles(paths: string[], settings: Partial<LintSettings> = {}, options: DirLintOptions = {}): LintResult {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  const files: FileResult[] = [];
  const named = paths.filter((target) => isDirectoryOrFile(target) === 'file').map((file) => path.resolve(file));
  const byDir = new Map<string, Map<string, FileResult>>();
  for (const target of paths) {
    if (isDirectoryOrFile(target) === 'directory') {
      files.push(...lintMigrationsDir(target, full, options).files);
      continue;
    }
    if (isExcluded(target, undefined, full.exclude)) continue;
    const dir = path.dirname(path.resolve(target));
    let results = byDir.get(dir);
    if (!results) {
      results = lintHistoryOf(dir, named, full, options);
      byDir.set(dir, results);
    }
    files.push(results.get(path.resolve(target)) ?? lintFile(target, full));
  }
  return withSummary(files);
}

export interface DirLintOptions {
  layout?: LayoutName;
  /** The migrations as the command read them once; used for its own directory instead of reading it again. */
  set?: MigrationSet;
  /** Which migrations are pending (not yet applied where they will run): their tables count as new. Default: none. */
  isPending?: (entry: MigrationEntry) => boolean;
  /** The schema before the first migration linted (the real catalog), instead of an empty one. */
  schema?: SchemaModel;
  /** Only migrations for which this returns true are reported (the others only build the schema). */
  report?: (entry: MigrationEntry) => boolean;
}

function entriesFor(dir: string, options: { layout?: LayoutName; set?: MigrationSet }): MigrationEntry[] {
  if (options.set && path.resolve(options.set.dir) === path.resolve(dir)) return [...options.set.entries];
  return discoverMigrations(dir, options.layout ? { layout: options.layout } : {});
}

/** Lints a directory's migrations up to the named files, and returns the named files' results by absolute path. */
function lintHistoryOf(dir: string, named: string[], settings: LintSettings, options: DirLintOptions): Map<string, FileResult> {
  const results = new Map<string, FileResult>();
  let entries: MigrationEntry[];
  try {
    entries = entriesFor(dir, options);
  } catch {
    return results; // not a migrations directory: each file is linted alone
  }
  const namedSet = new Set(named);
  const isNamed = (entry: MigrationEntry) => namedSet.has(path.resolve(upSourceOf(entry).path)) || (downSourceOf(entry) ? namedSet.has(path.resolve(downSourceOf(entry)!.path)) : false);
  if (!entries.some(isNamed)) return results;
  const last = Math.max(...entries.map((entry, i) => (isNamed(entry) ? i : -1)));
  const dirResult = lintEntries(entries.slice(0, last + 1), settings, {
    ...options,
    isPending: (entry) => isNamed(entry) || (options.isPending?.(entry) ?? false),
    report: isNamed,
  });
  for (const file of dirResult.files) {
    const full = path.resolve(file.path);
    if (namedSet.has(full)) results.set(full, file);
  }
  return results;
}

/**
 * Lints every migration of a directory, read the way the runner reads it (its layout, detected or given):
 * up and down SQL in version order; a file holding both (dbmate, ROLLBACK comments …) is one entry. Each
 * migration is judged against the schema the earlier ones build.
 */
export function lintMigrationsDir(dir: string, settings: Partial<LintSettings> = {}, options: DirLintOptions = {}): LintResult {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  const entries = entriesFor(dir, options);
  return lintEntries(entries, full, options, dir);
}

/**
 * Lints a directory against a real database: migrations it has applied are linted from the directory's
 * history as usual; pending ones are judged against the catalog (the source of truth), each seeing what the
 * pending ones before it create as new. With `only`, reports just those files (absolute paths).
 */
export function lintAgainstCatalog(dir: string, settings: Partial<LintSettings>, options: { catalog: SchemaModel; applied: ReadonlySet<string>; layout?: LayoutName; set?: MigrationSet; only?: ReadonlySet<string> }): LintResult {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  const entries = entriesFor(dir, options);
  const named = (entry: MigrationEntry) => !options.only || options.only.has(path.resolve(upSourceOf(entry).path)) || (!!downSourceOf(entry) && options.only.has(path.resolve(downSourceOf(entry)!.path)));
  const offline = lintEntries(entries, full, { report: (entry) => options.applied.has(entry.version) && named(entry) }, dir);
  const pending = entries.filter((entry) => !options.applied.has(entry.version));
  const live = lintEntries(pending, full, { schema: options.catalog, isPending: () => true, report: named }, dir);
  const order = new Map<string, number>();
  entries.forEach((entry, i) => {
    order.set(displayPath(upSourceOf(entry).path), i);
    const down = downSourceOf(entry);
    if (down) order.set(displayPath(down.path), i);
  });
  const files = [...offline.files, ...live.files].sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
  return withSummary(files);
}

/** Lints an ordered list of migrations, threading the schema model from one to the next. */
export function lintEntries(entries: MigrationEntry[], settings: LintSettings, options: DirLintOptions = {}, dir?: string): LintResult {
  const byPath = new Map<string, FileResult>();
  let schema = options.schema ?? new SchemaModel();
  let seen = 0;
  for (const entry of entries) {
    // A goose Go migration has no SQL to lint (the set lists it; `up` refuses to run it).
    if (entry.unrunnable) continue;
    const pending = options.isPending?.(entry) ?? false;
    const report = options.report?.(entry) ?? true;
    // A history of earlier migrations is the database's story: what it never created does not exist.
    if (seen > 0) schema.complete = true;
    const up = upSourceOf(entry);
    const down = downSourceOf(entry);
    const before = schema;
    if (!isExcluded(up.path, dir, settings.exclude)) {
      // The first migration works on a copy (the caller's catalog stays intact); later ones on the model the previous one left.
      const result = lintSqlSource(up, settings, false, before, seen > 0 || !options.schema);
      if (report) addResult(byPath, result.file);
      schema = result.schema ?? before;
      if (!pending) schema.settle();
    }
    if (report && down && !isExcluded(down.path, dir, settings.exclude)) addResult(byPath, lintSqlSource(down, settings, true, schema).file);
    seen++;
  }
  return withSummary([...byPath.values()]);
}

function addResult(byPath: Map<string, FileResult>, result: FileResult): void {
  const existing = byPath.get(result.path);
  if (!existing) byPath.set(result.path, result);
  else existing.findings = [...existing.findings, ...result.findings].sort((a, b) => a.line - b.line || a.column - b.column);
}

function lintSqlSource(source: SqlSource, settings: Partial<LintSettings>, down: boolean, schema?: SchemaModel, schemaOwned = false): { file: FileResult; schema?: SchemaModel } {
  const shown = displayPath(source.path);
  const read = readForLint(source.path);
  if ('finding' in read) return { file: { path: shown, findings: [read.finding] } };
  const text = sourceText(source, read.text);
  const result = lintSourceWithSchema(text, { ...settings, down, ...(source.noTransaction ? { noTransaction: true } : {}), ...(schema ? { schema, schemaOwned } : {}) });
  // An empty down section is common (irreversible migrations); the runner only needs it for a rollback.
  const findings = down && source.section ? result.findings.filter((f) => f.rule !== 'empty-migration') : result.findings;
  return { file: { path: shown, findings }, schema: result.schema };
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
    return { rule: 'syntax', severity: 'error', line: 1, column: 1, endLine: 1, message: 'binary content (NUL byte): not a SQL text file', hint: syntax.safe, evidence: null, impact: null };
  }
  const text = buffer.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buffer)) {
    const index = text.indexOf('\uFFFD');
    const before = text.slice(0, Math.max(0, index));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { rule: 'syntax', severity: 'error', line, column, endLine: line, message: 'invalid UTF-8', hint: 'Save the file as UTF-8.', evidence: null, impact: null };
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


function withSummary(files: FileResult[]): LintResult {
  return { files, summary: summarize(files) };
}

/** Blocking = at least one finding of severity error. */
export function hasBlockingFindings(result: LintResult): boolean {
  return result.summary.errors > 0;
}
