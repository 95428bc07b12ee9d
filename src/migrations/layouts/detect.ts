import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { LayoutName } from '../types.js';
import { hasSql, PREFIXED_SQL } from './common.js';
import { DBMATE_MARKERS } from './dbmate.js';
import { hasDrizzleJournal } from './drizzle.js';
import { dirExists, displayPath, fileExists, listFiles, listSubdirs } from './files.js';
import { FLYWAY_PATTERN } from './flyway.js';
import { GOLANG_MIGRATE_FILE } from './golang-migrate.js';
import { GOOSE_FILE, GOOSE_MARKERS } from './goose.js';
import { findMarker } from './marked.js';
import { NATIVE_EXPECTED, NATIVE_PATTERN } from './native.js';
import { NODE_PG_MIGRATE_MARKERS } from './node-pg-migrate.js';
import { POPX_DIALECTS } from './popx.js';
import { PRISMA_LOCK } from './prisma.js';
import { looksSequential } from './sequential-rollback-comments.js';
import { SQITCH_PLAN } from './sqitch.js';
import { SQL_MIGRATE_MARKERS } from './sql-migrate.js';

/** What one file looks like on its own; `plain` = `NN_name.sql` without sections (sequential, flat or supabase). */
export type FileKind = 'native' | 'flyway' | 'dbmate' | 'node-pg-migrate' | 'goose' | 'sql-migrate' | 'plain';

const KIND_DESCRIPTION: Record<FileKind, string> = {
  native: 'native/golang-migrate (<version>_<name>.up.sql)',
  flyway: 'Flyway (V<version>__<name>.sql)',
  dbmate: 'dbmate ("-- migrate:up" section)',
  'node-pg-migrate': 'node-pg-migrate ("-- Up Migration" section)',
  goose: 'goose ("-- +goose Up" section)',
  'sql-migrate': 'sql-migrate ("-- +migrate Up" section)',
  plain: 'a sequential/flat script (NNN_name.sql)',
};

/** The layouts detection tries, in the words of the one-line error for a folder none of them reads. */
export const LAYOUTS_TRIED =
  'native, golang-migrate, flyway, dbmate, node-pg-migrate, goose, sql-migrate, sequential, flat, supabase, popx, drizzle (meta/_journal.json), sqitch (sqitch.plan), prisma, diesel, hasura (<version>_<name>/ folders), graphile-migrate (committed/)';

function sectionKind(lines: string[]): FileKind | undefined {
  if (findMarker(lines, GOOSE_MARKERS.up) || findMarker(lines, GOOSE_MARKERS.down)) return 'goose';
  if (findMarker(lines, SQL_MIGRATE_MARKERS.up) || findMarker(lines, SQL_MIGRATE_MARKERS.down)) return 'sql-migrate';
  if (findMarker(lines, DBMATE_MARKERS.up) || findMarker(lines, DBMATE_MARKERS.down)) return 'dbmate';
  if (findMarker(lines, NODE_PG_MIGRATE_MARKERS.up) || findMarker(lines, NODE_PG_MIGRATE_MARKERS.down)) return 'node-pg-migrate';
  return undefined;
}

export function classifyFile(dir: string, fileName: string): FileKind | undefined {
  if (NATIVE_PATTERN.test(fileName)) return 'native';
  if (FLYWAY_PATTERN.test(fileName)) return 'flyway';
  if (!/^\d+[-_]/.test(fileName)) return undefined;
  const kind = sectionKind(readSqlFile(path.join(dir, fileName)).split('\n'));
  if (kind) return kind;
  return PREFIXED_SQL.test(fileName) ? 'plain' : undefined;
}

/** A folder of `<version>_<name>/up.sql` folders: hasura writes millisecond timestamps, diesel dates or 14 digits. */
function folderLayout(dir: string, folders: string[]): LayoutName {
  const hasura = folders.every((folder) => /^\d{13}_/.test(folder) && !fileExists(path.join(dir, folder, 'metadata.toml')));
  return hasura ? 'hasura' : 'diesel';
}

/** golang-migrate rather than native: an up and a down of one version with different names, or a down without SQL. */
function looksGolangMigrate(dir: string, files: string[]): boolean {
  const names = new Map<string, string>();
  for (const fileName of files) {
    const match = GOLANG_MIGRATE_FILE.exec(fileName);
    if (!match) continue;
    const version = BigInt(match[1]!).toString();
    const other = names.get(version);
    if (other !== undefined && other !== match[2]) return true;
    names.set(version, match[2]!);
    if (match[3] === 'down' && !hasSql(readSqlFile(path.join(dir, fileName)).split('\n'))) return true;
  }
  return false;
}

/**
 * Decides a directory's layout from what is in it, the way each tool would recognise its own folder: a
 * drizzle journal, a sqitch plan, graphile-migrate's committed/ folder, prisma's lock file or
 * `<version>_<name>/migration.sql` folders, diesel or hasura `<version>_<name>/up.sql` folders; else the
 * top-level files, which must all be of one kind (two kinds → InputError naming one file of each):
 * goose and sql-migrate by their markers (goose also by Go migrations), popx by its dialect names,
 * `.up.sql` names as native (golang-migrate when its pairing rules are needed), plain `NN_name.sql` files as
 * sequential (ROLLBACK block or `-- Migration:` header), supabase (timestamp names, or names the CLI skips
 * beside them) or flat.
 */
export function detectLayout(dir: string, files: string[]): LayoutName {
  if (hasDrizzleJournal(dir)) return 'drizzle';
  if (fileExists(path.join(dir, SQITCH_PLAN))) return 'sqitch';
  if (dirExists(path.join(dir, 'committed')) || files.some((fileName) => /^\d{6,}(-[^.]*)?\.sql$/.test(fileName) && readSqlFile(path.join(dir, fileName)).startsWith('--! Previous:'))) {
    return 'graphile-migrate';
  }
  const folders = listSubdirs(dir);
  if (fileExists(path.join(dir, PRISMA_LOCK)) || folders.some((folder) => fileExists(path.join(dir, folder, 'migration.sql')))) return 'prisma';
  const upFolders = folders.filter((folder) => /^\d/.test(folder) && fileExists(path.join(dir, folder, 'up.sql')));
  if (upFolders.length) return folderLayout(dir, upFolders);
  if (listFiles(dir).some((fileName) => fileName.endsWith('.go') && GOOSE_FILE.test(fileName) && !fileName.endsWith('_test.go'))) return 'goose';
  if (files.some((fileName) => POPX_DIALECTS.test(fileName))) return 'popx';

  const firstOfKind = new Map<FileKind, string>();
  const unrecognised: string[] = [];
  for (const fileName of files) {
    const kind = classifyFile(dir, fileName);
    if (!kind) {
      unrecognised.push(fileName);
      continue;
    }
    if (!firstOfKind.has(kind)) firstOfKind.set(kind, fileName);
  }
  const kinds = [...firstOfKind.keys()];
  const plainFiles = files.filter((fileName) => PREFIXED_SQL.test(fileName) && firstOfKind.has('plain'));
  // fider-style runners: `.up.sql` and plain `.sql` files side by side, every one an up migration.
  if (kinds.length === 2 && firstOfKind.has('native') && firstOfKind.has('plain') && !files.some((fileName) => /\.down\.sql$/.test(fileName)) && !unrecognised.length) return 'flat';
  if (kinds.length > 1) {
    const [[kindA, fileA], [kindB, fileB]] = [...firstOfKind.entries()] as [[FileKind, string], [FileKind, string]];
    throw new InputError(
      `${displayPath(path.join(dir, fileB))}: mixed migration layouts: this file looks like ${KIND_DESCRIPTION[kindB]} but ${displayPath(path.join(dir, fileA))} looks like ${KIND_DESCRIPTION[kindA]}; keep one layout per directory (or pass --layout)`,
    );
  }
  const kind = kinds[0];
  // The tools whose readers skip names they do not know (the layout's reader lists them in one notice).
  if (kind === 'goose' || kind === 'sql-migrate') return kind;
  // supabase CLI names: 14-digit UTC timestamps (`supabase migration new`), nothing like a ROLLBACK block.
  if (kind === 'plain' && plainFiles.every((fileName) => /^\d{14}_/.test(fileName)) && !plainFiles.some((fileName) => looksSequential(readSqlFile(path.join(dir, fileName))))) {
    return 'supabase';
  }
  if (unrecognised.length) {
    if (kind === 'native' && looksGolangMigrate(dir, files)) return 'golang-migrate';
    throw new InputError(
      `${displayPath(path.join(dir, unrecognised[0]!))}: unrecognised migration file name; expected ${NATIVE_EXPECTED}, or another supported layout (tried: ${LAYOUTS_TRIED})`,
    );
  }
  if (!kind || kind === 'native') return kind && looksGolangMigrate(dir, files) ? 'golang-migrate' : 'native';
  if (kind !== 'plain') return kind;
  return files.some((fileName) => looksSequential(readSqlFile(path.join(dir, fileName)))) ? 'sequential' : 'flat';
}
