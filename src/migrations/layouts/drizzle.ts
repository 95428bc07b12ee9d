import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type { MigrationEntry } from '../types.js';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';
import { displayPath, fileExists } from './files.js';

export interface DrizzleJournalEntry {
  idx: number;
  when: number;
  tag: string;
  breakpoints?: boolean;
}

export const journalPath = (dir: string) => path.join(dir, 'meta', '_journal.json');

export function hasDrizzleJournal(dir: string): boolean {
  return fileExists(journalPath(dir));
}

/** drizzle-kit's `meta/_journal.json`: the order, names and timestamps (`when`, drizzle's created_at) of the migrations. */
export function readDrizzleJournal(dir: string): DrizzleJournalEntry[] {
  const file = journalPath(dir);
  let data: any;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${displayPath(file)}: ${fileExists(file) ? `invalid JSON (${(error as Error).message.split('\n')[0]})` : 'not found (a drizzle-kit migrations folder has meta/_journal.json)'}`);
  }
  if (!data || !Array.isArray(data.entries)) throw new InputError(`${displayPath(file)}: no "entries" list; is this a drizzle-kit journal?`);
  return data.entries.map((entry: any, index: number) => {
    if (typeof entry?.tag !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(entry.tag) || typeof entry.when !== 'number') {
      throw new InputError(`${displayPath(file)}: entry ${index} needs a "tag" (file name without .sql) and a numeric "when"`);
    }
    return { idx: typeof entry.idx === 'number' ? entry.idx : index, when: entry.when, tag: entry.tag, ...(typeof entry.breakpoints === 'boolean' ? { breakpoints: entry.breakpoints } : {}) };
  });
}

/**
 * drizzle-kit: `drizzle/0000_bright_wolverine.sql` … with `meta/_journal.json`. Statements are separated by
 * `--> statement-breakpoint` lines, which are SQL comments to the parser (so positions need no mapping).
 * Version = the tag's number prefix (or the journal index for `prefix: "none"`); no down migrations.
 */
export const drizzle: Layout = {
  name: 'drizzle',
  expected: 'files named by the "tag" entries of meta/_journal.json (e.g. 0000_bright_wolverine.sql)',
  discover(dir, files, context) {
    const journal = readDrizzleJournal(dir);
    const listed = new Set(journal.map((entry) => `${entry.tag}.sql`));
    // drizzle-orm's migrator runs what the journal lists and nothing else.
    noticeIgnored(context, dir, 'drizzle', files.filter((fileName) => !listed.has(fileName)), `not listed in ${displayPath(journalPath(dir))}; drizzle never runs them`);
    const entries: MigrationEntry[] = [...journal]
      .sort((a, b) => a.idx - b.idx)
      .map((entry) => {
        const file = path.join(dir, `${entry.tag}.sql`);
        if (!fileExists(file)) throw new InputError(`${displayPath(journalPath(dir))}: entry "${entry.tag}" has no file ${displayPath(file)}`);
        const match = /^(\d+)_(.+)$/.exec(entry.tag);
        const version = match ? match[1]! : String(entry.idx).padStart(4, '0');
        return { version, name: match ? match[2]! : entry.tag, upPath: file, upSource: { path: file }, layout: 'drizzle' as const };
      });
    const ordered = orderByVersion(entries);
    for (const [index, entry] of ordered.entries()) {
      if (entry !== entries[index]) throw new InputError(`${displayPath(journalPath(dir))}: the journal's order disagrees with the versions of ${path.basename(entry.upPath)} and ${path.basename(entries[index]!.upPath)}`);
    }
    return ordered;
  },
};
