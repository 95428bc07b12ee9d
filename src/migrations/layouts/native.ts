import path from 'node:path';
import { InputError } from '../../errors.js';
import type { MigrationEntry } from '../types.js';
import type { Layout } from './common.js';
import { displayPath } from './files.js';

export const NATIVE_PATTERN = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*?)\.(up|down)\.sql$/;
export const NATIVE_EXPECTED = '<version>_<name>.up.sql or <version>_<name>.down.sql (version: digits, e.g. 20260101120000_add_users.up.sql)';

interface Pair {
  version: string;
  name: string;
  up?: string;
  down?: string;
}

/** Pairs `<version>_<name>.up.sql` with its optional `.down.sql` (shared by native and golang-migrate). */
export function pairUpDown(dir: string, files: string[], layout: Layout): Pair[] {
  const byVersion = new Map<bigint, Pair>();
  for (const fileName of files) {
    const full = path.join(dir, fileName);
    const match = NATIVE_PATTERN.exec(fileName);
    if (!match) throw new InputError(`${displayPath(full)}: unrecognised migration file name; expected ${layout.expected}`);
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
  return [...byVersion.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, entry]) => {
      if (!entry.up) throw new InputError(`${displayPath(entry.down!)}: down migration without its up file (${entry.version}_${entry.name}.up.sql)`);
      return entry;
    });
}

export const native: Layout = {
  name: 'native',
  expected: NATIVE_EXPECTED,
  discover(dir, files): MigrationEntry[] {
    return pairUpDown(dir, files, native).map((pair) => ({
      version: pair.version,
      name: pair.name,
      upPath: pair.up!,
      ...(pair.down ? { downPath: pair.down } : {}),
      upSource: { path: pair.up! },
      ...(pair.down ? { downSource: { path: pair.down } } : {}),
      layout: 'native' as const,
    }));
  },
};
