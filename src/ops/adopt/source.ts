/**
 * What every `adopt --from <tool>` reader shares: the input it gets (the other tool's table, read-only, and the
 * migrations of the directory) and the state it returns (which migrations the tool applied, matched to files).
 * Each tool's reader lives in its own file next to this one and reads the table exactly as the tool does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '../../db/connection.js';
import { compareVersions } from '../../migrations/version.js';
import type { MigrationEntry } from '../../migrations/types.js';

export interface ReadInput {
  client: Client;
  /** The table, quoted for SQL (`"public"."goose_db_version"`). */
  table: string;
  /** The table as users name it (`public.goose_db_version`). */
  shown: string;
  schema: string;
  columns: Set<string>;
  entries: MigrationEntry[];
  dir: string;
}

export interface Match {
  entry: MigrationEntry;
  matchedBy: string;
  appliedAt: Date | null;
}

export interface ForeignState {
  matches: Match[];
  withoutFile: Array<{ entry: string; appliedAt: Date | null }>;
  unrecorded: Array<{ entry: MigrationEntry; reason: string }>;
  notes: string[];
}

export interface AdoptReader {
  /** `schema.table` where the tool keeps its record by default (`--table` overrides). */
  table: string;
  /** Columns that identify the tool's table: a table without them belongs to another tool. */
  columns: string[];
  read(input: ReadInput): Promise<ForeignState>;
}

export const emptyState = (): ForeignState => ({ matches: [], withoutFile: [], unrecorded: [], notes: [] });

/** Records a match once per migration (the first row that names it wins; later ones are the same migration). */
export function claim(state: ForeignState, entry: MigrationEntry, matchedBy: string, appliedAt: Date | null): void {
  if (!state.matches.some((m) => m.entry === entry)) state.matches.push({ entry, matchedBy, appliedAt });
}

/** Numbers compare as numbers (`0002` is `2`), anything else as text. */
export const sameVersion = (a: string, b: string) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) === BigInt(b) : a === b);
export const byVersion = (entries: MigrationEntry[], version: string) => entries.find((entry) => entry.version === version) ?? entries.find((entry) => sameVersion(entry.version, version));
/** The file name without `.sql`: what node-pg-migrate and hand-made runners record. */
export const fileBase = (entry: MigrationEntry) => path.basename(entry.upPath).replace(/\.sql$/i, '');
/** The migration's folder (diesel, prisma, hasura keep one folder per migration). */
export const folderName = (entry: MigrationEntry) => path.basename(path.dirname(entry.upPath));

export const hashOfFile = (algorithm: 'sha1' | 'sha256' | 'md5', file: string) => createHash(algorithm).update(readFileSync(file)).digest('hex');

/** Files older than the newest matched one that the tool has no record of: they look applied, yet nothing says so. */
export function gaps(entries: MigrationEntry[], matches: Match[], reason: string): Array<{ entry: MigrationEntry; reason: string }> {
  const matched = new Set(matches.map((m) => m.entry));
  const newest = matches.map((m) => m.entry.version).sort(compareVersions).pop();
  if (!newest) return [];
  return entries.filter((entry) => !matched.has(entry) && compareVersions(entry.version, newest) < 0).map((entry) => ({ entry, reason }));
}

/**
 * The common case of a table with one row per applied migration: each row is matched to a file by `find`,
 * rows without a file are listed, and files older than the newest applied one but absent are gaps.
 */
export function matchRows<Row>(
  entries: MigrationEntry[],
  rows: Row[],
  find: (row: Row) => { entry: MigrationEntry; matchedBy: string } | undefined,
  describe: (row: Row) => { entry: string; appliedAt: Date | null },
  gapReason: string,
): ForeignState {
  const state = emptyState();
  for (const row of rows) {
    const found = find(row);
    if (found) claim(state, found.entry, found.matchedBy, describe(row).appliedAt);
    else state.withoutFile.push(describe(row));
  }
  state.unrecorded = gaps(entries, state.matches, gapReason);
  return state;
}

/** A table with one row per applied version (dbmate, goose, hasura): each row matched to the file of that version. */
export function matchVersions(entries: MigrationEntry[], rows: Array<{ version: string; appliedAt: Date | null }>, gapReason: string): ForeignState {
  return matchRows(
    entries,
    rows,
    (row) => {
      const entry = byVersion(entries, row.version);
      return entry && { entry, matchedBy: 'version' };
    },
    (row) => ({ entry: `version ${row.version}`, appliedAt: row.appliedAt }),
    gapReason,
  );
}
