import path from 'node:path';
import { InputError } from '../../errors.js';
import type { LayoutName, MigrationEntry } from '../types.js';
import { compareVersions, versionKey } from '../version.js';
import { displayPath } from './files.js';

/** What a layout tells besides its migrations: files its tool skips or tolerates (one line each, shown once). */
export interface ReadContext {
  notice(text: string): void;
  /** Flyway `${name}` values given to ddlgate (ddlgate.json, --placeholder, the action input). */
  placeholders?: Record<string, string>;
}

/** One layout's reader: which files it takes and how it turns them into ordered migrations. */
export interface Layout {
  name: LayoutName;
  /** What its file names look like, for error messages. */
  expected: string;
  /**
   * `files`: the directory's .sql file names, sorted (layouts with sub-folders read the directory themselves).
   * Throws InputError naming the file on anything its tool would refuse; reports what its tool skips through `context`.
   */
  discover(dir: string, files: string[], context?: ReadContext): MigrationEntry[];
}

/** One notice for the files a tool skips: "ignored 2 files that <tool> does not read: a.sql, b.sql". */
export function noticeIgnored(context: ReadContext | undefined, dir: string, tool: string, files: string[], why = `${tool} does not read them`): void {
  if (!context || files.length === 0) return;
  const shown = files.slice(0, 5).map((file) => displayPath(path.join(dir, file)));
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  context.notice(`ignored ${files.length} file${files.length === 1 ? '' : 's'} (${why}): ${shown.join(', ')}${more}`);
}

/**
 * `<digits>_<name>.sql` — the file name shape shared by sequential, flat, dbmate and node-pg-migrate files.
 * `.up.sql` / `.down.sql` names are left out: they belong to the native and golang-migrate layouts.
 */
export const PREFIXED_SQL = /^(\d+)_(?!.*\.(?:up|down)\.sql$)(.+)\.sql$/;

export function notThisLayout(dir: string, file: string, layout: Layout): InputError {
  return new InputError(`${displayPath(path.join(dir, file))}: not a ${layout.name} migration file name; expected ${layout.expected}`);
}

/** Sorts entries by version (numerically, part by part for dotted versions) and refuses two files with the same version. */
export function orderByVersion(entries: MigrationEntry[]): MigrationEntry[] {
  const seen = new Map<string, MigrationEntry>();
  for (const entry of entries) {
    const key = versionKey(entry.version);
    const other = seen.get(key);
    if (other) throw new InputError(`${displayPath(entry.upPath)}: duplicate migration version ${entry.version}, also used by ${displayPath(other.upPath)}`);
    seen.set(key, entry);
  }
  return [...entries].sort((a, b) => compareVersions(a.version, b.version));
}

/** True when a piece of SQL text has something besides blank lines and `--` comments. */
export function hasSql(lines: string[]): boolean {
  return lines.some((line) => line.trim() !== '' && !line.trim().startsWith('--'));
}

const METADATA = /^--\s*([A-Z][A-Za-z ]{0,30}?):\s+(.*\S)\s*$/;

/** `-- Migration: …`, `-- Purpose: …` lines of the leading comment block, as key → value. */
export function headerMetadata(lines: string[]): Record<string, string> | undefined {
  const metadata: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const match = METADATA.exec(line);
    if (match) metadata[match[1]!.trim()] = match[2]!;
  }
  return Object.keys(metadata).length ? metadata : undefined;
}
