import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { LayoutName } from '../types.js';
import { PREFIXED_SQL } from './common.js';
import { DBMATE_MARKERS } from './dbmate.js';
import { hasDrizzleJournal } from './drizzle.js';
import { displayPath } from './files.js';
import { FLYWAY_PATTERN } from './flyway.js';
import { findMarker } from './marked.js';
import { NATIVE_EXPECTED, NATIVE_PATTERN } from './native.js';
import { NODE_PG_MIGRATE_MARKERS } from './node-pg-migrate.js';
import { looksSequential } from './sequential-rollback-comments.js';

/** What one file looks like on its own; `plain` = `NN_name.sql` without sections (sequential or flat). */
export type FileKind = 'native' | 'flyway' | 'dbmate' | 'node-pg-migrate' | 'plain';

const KIND_DESCRIPTION: Record<FileKind, string> = {
  native: 'native/golang-migrate (<version>_<name>.up.sql)',
  flyway: 'Flyway (V<version>__<name>.sql)',
  dbmate: 'dbmate ("-- migrate:up" section)',
  'node-pg-migrate': 'node-pg-migrate ("-- Up Migration" section)',
  plain: 'a sequential/flat script (NNN_name.sql)',
};

export function classifyFile(dir: string, fileName: string): FileKind | undefined {
  if (NATIVE_PATTERN.test(fileName)) return 'native';
  if (FLYWAY_PATTERN.test(fileName)) return 'flyway';
  if (!PREFIXED_SQL.test(fileName)) return undefined;
  const lines = readSqlFile(path.join(dir, fileName)).split('\n');
  if (findMarker(lines, DBMATE_MARKERS.up) || findMarker(lines, DBMATE_MARKERS.down)) return 'dbmate';
  if (findMarker(lines, NODE_PG_MIGRATE_MARKERS.up) || findMarker(lines, NODE_PG_MIGRATE_MARKERS.down)) return 'node-pg-migrate';
  return 'plain';
}

/**
 * Decides a directory's layout from its files: a drizzle journal wins; otherwise every file must be of one
 * kind (two kinds → InputError naming one file of each). `<version>_<name>.up.sql` files are read as
 * native (golang-migrate's names are the same; pass --layout golang-migrate for its empty-down rule);
 * plain `NN_name.sql` files are sequential when any has a ROLLBACK block or a `-- Migration:` header, else flat.
 */
export function detectLayout(dir: string, files: string[]): LayoutName {
  if (hasDrizzleJournal(dir)) return 'drizzle';
  const firstOfKind = new Map<FileKind, string>();
  for (const fileName of files) {
    const kind = classifyFile(dir, fileName);
    if (!kind) {
      throw new InputError(
        `${displayPath(path.join(dir, fileName))}: unrecognised migration file name; expected ${NATIVE_EXPECTED}, or another supported layout (NNN_name.sql, dbmate, node-pg-migrate, Flyway V1__name.sql, a drizzle-kit folder)`,
      );
    }
    if (!firstOfKind.has(kind)) firstOfKind.set(kind, fileName);
    if (firstOfKind.size > 1) {
      const [[kindA, fileA], [kindB, fileB]] = [...firstOfKind.entries()] as [[FileKind, string], [FileKind, string]];
      throw new InputError(
        `${displayPath(path.join(dir, fileB))}: mixed migration layouts: this file looks like ${KIND_DESCRIPTION[kindB]} but ${displayPath(path.join(dir, fileA))} looks like ${KIND_DESCRIPTION[kindA]}; keep one layout per directory (or pass --layout)`,
      );
    }
  }
  const kind = [...firstOfKind.keys()][0];
  if (!kind || kind === 'native') return 'native';
  if (kind !== 'plain') return kind;
  return files.some((fileName) => looksSequential(readSqlFile(path.join(dir, fileName)))) ? 'sequential' : 'flat';
}
