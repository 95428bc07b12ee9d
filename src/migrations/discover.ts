import { detectLayout } from './layouts/detect.js';
import { listSqlFiles } from './layouts/files.js';
import { LAYOUTS } from './layouts/index.js';
import type { LayoutName, MigrationEntry } from './types.js';

export { displayPath } from './layouts/files.js';
export { NATIVE_PATTERN } from './layouts/native.js';

export interface DiscoverOptions {
  /** Read the directory as this layout; without it the layout is detected from the files (src/migrations/layouts/detect.ts). */
  layout?: LayoutName;
}

/** The layout a directory is read as: the one asked for, else the detected one. */
export function resolveLayout(dir: string, options: DiscoverOptions = {}): LayoutName {
  return options.layout ?? detectLayout(dir, listSqlFiles(dir));
}

/**
 * Finds the migrations of a directory, ordered by version. Every layout yields the same entries: version,
 * name, the file whose checksum is the migration's, and where the up and down SQL are (file + section).
 */
export function discoverMigrations(dir: string, options: DiscoverOptions = {}): MigrationEntry[] {
  const files = listSqlFiles(dir);
  const layout = options.layout ?? detectLayout(dir, files);
  return LAYOUTS[layout].discover(dir, files);
}
