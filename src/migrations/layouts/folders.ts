import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readSqlFile } from '../script.js';
import type { LayoutName, MigrationEntry } from '../types.js';
import { hasSql, noticeIgnored, orderByVersion, type ReadContext } from './common.js';
import { InputError } from '../../errors.js';
import { displayPath, fileExists, listFiles, listSubdirs } from './files.js';

/** How one tool names its per-migration folders (`<version>_<name>/up.sql`). */
export interface FolderRules {
  layout: LayoutName;
  /** Folder name → version and name; undefined when the tool would not read the folder. */
  parse(folder: string): { version: string; name: string } | undefined;
  up: string;
  down?: string;
  /** The folder's own "no transaction" setting (diesel `metadata.toml`). */
  noTransaction?(folderPath: string): boolean;
  /** The tool orders versions as text, not as numbers (diesel: `2025-11-19-091444-0000` before `2026-01-20-162913`). */
  textOrder?: boolean;
}

/**
 * Reads a directory of migration folders. Folders without the up file and loose files at the top are
 * skipped, as these tools skip them, with one notice each kind. A down file with no SQL (hasura writes
 * "-- Could not auto-generate a down migration.") means "no down".
 */
export function readFolders(dir: string, rules: FolderRules, context?: ReadContext): MigrationEntry[] {
  const entries: MigrationEntry[] = [];
  const skipped: string[] = [];
  for (const folder of listSubdirs(dir)) {
    const parsed = rules.parse(folder);
    const upPath = path.join(dir, folder, rules.up);
    if (!parsed || !fileExists(upPath)) {
      skipped.push(folder);
      continue;
    }
    const noTransaction = rules.noTransaction?.(path.join(dir, folder)) ?? false;
    const downPath = rules.down ? path.join(dir, folder, rules.down) : undefined;
    const down = downPath && fileExists(downPath) && hasSql(readSqlFile(downPath).split('\n')) ? downPath : undefined;
    entries.push({
      version: parsed.version,
      name: parsed.name,
      upPath,
      upSource: { path: upPath, ...(noTransaction ? { noTransaction } : {}) },
      ...(down ? { downPath: down, downSource: { path: down, ...(noTransaction ? { noTransaction } : {}) } } : {}),
      layout: rules.layout,
    });
  }
  const loose = listFiles(dir).filter((name) => name.toLowerCase().endsWith('.sql'));
  noticeIgnored(context, dir, rules.layout, loose, `${rules.layout} reads only <version>_<name>/${rules.up}`);
  noticeIgnored(context, dir, rules.layout, skipped, `folders without ${rules.up}`);
  return rules.textOrder ? orderByVersionText(entries) : orderByVersion(entries);
}

/** Sorts by the version as text and refuses two folders of one version, as diesel does. */
function orderByVersionText(entries: MigrationEntry[]): MigrationEntry[] {
  const sorted = [...entries].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  sorted.forEach((entry, index) => {
    const previous = sorted[index - 1];
    if (previous?.version === entry.version) {
      throw new InputError(`${displayPath(entry.upPath)}: duplicate migration version ${entry.version}, also used by ${displayPath(previous.upPath)}`);
    }
  });
  return sorted;
}

/**
 * diesel: `2019-02-26-002946_create_user/up.sql` + `down.sql` (or `00000000000000_diesel_initial_setup`).
 * The version is the part before the first `_` with the dashes removed, as diesel records it, and
 * versions are ordered as text, as diesel orders them (14 and 18 digits mix: `…-0000` suffixes);
 * `metadata.toml` with `run_in_transaction = false` runs both files outside a transaction.
 */
export const DIESEL_RULES: FolderRules = {
  layout: 'diesel',
  parse(folder) {
    const match = /^(\d[\d-]*)_(.+)$/.exec(folder);
    return match ? { version: match[1]!.replace(/-/g, ''), name: match[2]! } : undefined;
  },
  up: 'up.sql',
  down: 'down.sql',
  textOrder: true,
  noTransaction(folderPath) {
    const file = path.join(folderPath, 'metadata.toml');
    return fileExists(file) && /^\s*run_in_transaction\s*=\s*false\b/m.test(readFileSync(file, 'utf8'));
  },
};

/** hasura: `1620000000000_create_users/up.sql` + `down.sql` (version: a millisecond timestamp). */
export const HASURA_RULES: FolderRules = {
  layout: 'hasura',
  parse(folder) {
    const match = /^(\d+)_(.+)$/.exec(folder);
    return match ? { version: match[1]!, name: match[2]! } : undefined;
  },
  up: 'up.sql',
  down: 'down.sql',
};

/** prisma: `20230404095503_initial_migration/migration.sql`, no down (prisma migrate has none). */
export const PRISMA_RULES: FolderRules = {
  layout: 'prisma',
  parse(folder) {
    const match = /^(\d+)_(.*)$/.exec(folder);
    return match ? { version: match[1]!, name: match[2]! || folder } : undefined;
  },
  up: 'migration.sql',
};
