import { InputError } from '../errors.js';
import { LAYOUTS_TRIED, detectLayout } from './layouts/detect.js';
import { displayPath, findSqlFiles, listSqlFiles } from './layouts/files.js';
import { LAYOUTS } from './layouts/index.js';
import { loadMigration } from './script.js';
import type { LayoutName, Migration, MigrationEntry } from './types.js';

export { displayPath } from './layouts/files.js';
export { NATIVE_PATTERN } from './layouts/native.js';

export interface DiscoverOptions {
  /** Read the directory as this layout; without it the layout is detected from the files (src/migrations/layouts/detect.ts). */
  layout?: LayoutName | undefined;
  /** Flyway placeholder values given to ddlgate (ddlgate.json, --placeholder, the action input). */
  placeholders?: Record<string, string> | undefined;
}

/**
 * A migrations directory read once: the layout it was read as, its migrations in the tool's order (each
 * knowing where its up and down SQL are), and the notices about files the tool would skip. Commands build
 * it once and hand it down, so every step sees the same migrations and the layout is stated once.
 */
export interface MigrationSet {
  dir: string;
  layout: LayoutName;
  entries: readonly MigrationEntry[];
  notices: readonly string[];
}

/** The layout a directory is read as: the one asked for, else the detected one. */
export function resolveLayout(dir: string, options: DiscoverOptions = {}): LayoutName {
  return options.layout ?? detectLayout(dir, listSqlFiles(dir));
}

/**
 * Reads a migrations directory. A directory that holds `.sql` files of which none is a migration of the
 * layout is bad input (exit 2), never "nothing to do": a check that reads nothing must not pass.
 */
export function readMigrationSet(dir: string, options: DiscoverOptions = {}): MigrationSet {
  const files = listSqlFiles(dir);
  const layout = options.layout ?? detectLayout(dir, files);
  const notices: string[] = [];
  const entries = LAYOUTS[layout].discover(dir, files, { notice: (text) => notices.push(text), ...(options.placeholders ? { placeholders: options.placeholders } : {}) });
  if (entries.length === 0) {
    const sql = findSqlFiles(dir);
    if (sql.length > 0) {
      const tried = options.layout ? `read as ${layout} (--layout)` : `read as ${layout}; layouts tried: ${LAYOUTS_TRIED}`;
      throw new InputError(`${displayPath(dir)}: ${sql.length} .sql file${sql.length === 1 ? '' : 's'} but no ${layout} migration (${tried}); first unrecognised file: ${sql[0]}`);
    }
  }
  return { dir, layout, entries, notices };
}

/**
 * Finds the migrations of a directory, ordered as their tool orders them. Every layout yields the same
 * entries: version, name, the file whose checksum is the migration's, and where the up and down SQL are.
 */
export function discoverMigrations(dir: string, options: DiscoverOptions = {}): MigrationEntry[] {
  return [...readMigrationSet(dir, options).entries];
}

/** Where a command's migrations come from: the set it read once, else its directory (read on the spot). */
export interface SetSource {
  dir: string;
  layout?: LayoutName | undefined;
  placeholders?: Record<string, string> | undefined;
  set?: MigrationSet | undefined;
}

export function entriesOf(source: SetSource): MigrationEntry[] {
  return source.set ? [...source.set.entries] : discoverMigrations(source.dir, { layout: source.layout, placeholders: source.placeholders });
}

const compiled = new WeakMap<MigrationSet, Migration[]>();

/**
 * Every migration of the set parsed (up sections; downs on demand), once per set: the dry-run, the lint of
 * what is pending and the apply of one command see the same parsed bytes. A malformed file is InputError.
 */
export function migrationsOf(source: SetSource): Migration[] {
  if (!source.set) return entriesOf(source).map(loadMigration);
  let migrations = compiled.get(source.set);
  if (!migrations) {
    migrations = source.set.entries.map(loadMigration);
    compiled.set(source.set, migrations);
  }
  return migrations;
}

/** "layout: goose (42 migrations)" — the first line of every command's text output. */
export function layoutLine(set: Pick<MigrationSet, 'layout' | 'entries'>): string {
  return `layout: ${set.layout} (${set.entries.length} migration${set.entries.length === 1 ? '' : 's'})`;
}
