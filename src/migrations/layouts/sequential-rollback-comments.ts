import path from 'node:path';
import { readSqlFile } from '../script.js';
import type { MigrationEntry, SqlSection } from '../types.js';
import { headerMetadata, notThisLayout, orderByVersion, PREFIXED_SQL, type Layout } from './common.js';
import { commentedSqlLines } from './section.js';

const BANNER = /\b(roll\s*back|undo|revert)\b|^\W*down\b/i;

const isComment = (line: string) => line.trim().startsWith('--');
const isBlank = (line: string) => line.trim() === '';

/**
 * The trailing ROLLBACK comment block of a `NNN_name.sql` file: the first line of the file's trailing
 * comments that reads like a rollback banner (`-- ROLLBACK`, `-- To rollback this migration:`, `-- Down:`)
 * opens it, and it runs to the end of the file. Undefined when the file has none.
 */
export function rollbackSection(lines: string[]): SqlSection | undefined {
  let start = lines.length;
  while (start > 0 && (isComment(lines[start - 1]!) || isBlank(lines[start - 1]!))) start--;
  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    if (!isComment(line)) continue;
    const body = line.trim().replace(/^-+/, '').trim();
    if (BANNER.test(body) && !commentedSqlLines([line], 1, 1).size) return { label: 'ROLLBACK comments', startLine: index + 2, endLine: lines.length, commented: true };
  }
  return undefined;
}

/** Reads one `NNN_name.sql` file: up = the whole file (the ROLLBACK block is comments to the parser), down = the uncommented block. */
export function sequentialEntry(file: string, version: string, name: string): MigrationEntry {
  const lines = readSqlFile(file).split('\n');
  const section = rollbackSection(lines);
  const hasDown = section !== undefined && commentedSqlLines(lines, section.startLine, section.endLine).size > 0;
  const metadata = headerMetadata(lines);
  return {
    version,
    name,
    upPath: file,
    upSource: { path: file },
    ...(hasDown ? { downSource: { path: file, section: section! } } : {}),
    layout: 'sequential',
    ...(metadata ? { metadata } : {}),
  };
}

/** True when a file carries this layout's signs: a ROLLBACK block or a `-- Migration:` / `-- Purpose:` header. */
export function looksSequential(text: string): boolean {
  const lines = text.split('\n');
  if (rollbackSection(lines)) return true;
  const metadata = headerMetadata(lines);
  return Boolean(metadata && ('Migration' in metadata || 'Purpose' in metadata));
}

export const sequential: Layout = {
  name: 'sequential',
  expected: 'NNN_name.sql, optionally ending in a "-- ROLLBACK" comment block (e.g. 001_create_users.sql)',
  discover(dir, files) {
    return orderByVersion(
      files.map((fileName) => {
        const match = PREFIXED_SQL.exec(fileName);
        if (!match) throw notThisLayout(dir, fileName, sequential);
        return sequentialEntry(path.join(dir, fileName), match[1]!, match[2]!);
      }),
    );
  },
};
