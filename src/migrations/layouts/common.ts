import path from 'node:path';
import { InputError } from '../../errors.js';
import type { LayoutName, MigrationEntry } from '../types.js';
import { displayPath } from './files.js';

/** One layout's reader: which files it takes and how it turns them into ordered migrations. */
export interface Layout {
  name: LayoutName;
  /** What its file names look like, for error messages. */
  expected: string;
  /** `files`: the directory's .sql file names, sorted. Throws InputError naming the file on anything it cannot read. */
  discover(dir: string, files: string[]): MigrationEntry[];
}

/**
 * `<digits>_<name>.sql` — the file name shape shared by sequential, flat, dbmate and node-pg-migrate files.
 * `.up.sql` / `.down.sql` names are left out: they belong to the native and golang-migrate layouts.
 */
export const PREFIXED_SQL = /^(\d+)_(?!.*\.(?:up|down)\.sql$)(.+)\.sql$/;

export function notThisLayout(dir: string, file: string, layout: Layout): InputError {
  return new InputError(`${displayPath(path.join(dir, file))}: not a ${layout.name} migration file name; expected ${layout.expected}`);
}

/** Sorts entries numerically by version and refuses two files with the same version. */
export function orderByVersion(entries: MigrationEntry[]): MigrationEntry[] {
  const seen = new Map<bigint, MigrationEntry>();
  for (const entry of entries) {
    const key = BigInt(entry.version);
    const other = seen.get(key);
    if (other) throw new InputError(`${displayPath(entry.upPath)}: duplicate migration version ${entry.version}, also used by ${displayPath(other.upPath)}`);
    seen.set(key, entry);
  }
  return [...entries].sort((a, b) => {
    const x = BigInt(a.version);
    const y = BigInt(b.version);
    return x < y ? -1 : x > y ? 1 : 0;
  });
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
