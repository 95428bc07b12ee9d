import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { MigrationEntry } from './types.js';

export const NATIVE_PATTERN = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*?)\.(up|down)\.sql$/;
const EXPECTED = '<version>_<name>.up.sql or <version>_<name>.down.sql (version: digits, e.g. 20260101120000_add_users.up.sql)';

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Finds migrations in the native layout, ordered numerically by version. */
export function discoverMigrations(dir: string): MigrationEntry[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${displayPath(dir)}: not a directory (set the migrations dir with --dir)`);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${displayPath(dir)}: migrations directory not found (set it with --dir)`);
  }
  const byVersion = new Map<bigint, { version: string; name: string; up?: string; down?: string }>();
  for (const fileName of names.sort()) {
    const full = path.join(dir, fileName);
    if (!fileName.toLowerCase().endsWith('.sql')) continue;
    if (!statSync(full).isFile()) continue;
    const match = NATIVE_PATTERN.exec(fileName);
    if (!match) throw new InputError(`${displayPath(full)}: unrecognised migration file name; expected ${EXPECTED}`);
    const [, version, name, direction] = match as unknown as [string, string, string, 'up' | 'down'];
    const key = BigInt(version);
    const entry = byVersion.get(key) ?? { version, name };
    const existing = entry[direction];
    if (existing || entry.version !== version || entry.name !== name) {
      const other = existing ?? entry.up ?? entry.down!;
      throw new InputError(`${displayPath(full)}: duplicate migration version ${version}, also used by ${displayPath(other)}`);
    }
    entry[direction] = full;
    byVersion.set(key, entry);
  }
  const entries = [...byVersion.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([, entry]) => {
    if (!entry.up) throw new InputError(`${displayPath(entry.down!)}: down migration without its up file (${entry.version}_${entry.name}.up.sql)`);
    return { version: entry.version, name: entry.name, upPath: entry.up, ...(entry.down ? { downPath: entry.down } : {}) };
  });
}
