import { readdirSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type { MigrationEntry } from '../types.js';
import { versionKey } from '../version.js';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';
import { flywayPlaceholders } from '../placeholders.js';
import { displayPath, statEntry } from './files.js';

export const FLYWAY_PATTERN = /^([VUR])([^_]*(?:_[^_]+)*?)__(.+)\.sql$/;
const VERSION = /^\d+(?:[._]\d+)*$/;

/** Flyway SQL files anywhere below the location (Flyway scans it recursively), as paths relative to it. */
function flywayFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const relative = sub ? path.join(sub, name) : name;
      const stat = statEntry(path.join(dir, relative));
      if (stat.isDirectory()) walk(relative);
      else if (name.toLowerCase().endsWith('.sql')) found.push(relative);
    }
  };
  walk('');
  return found;
}

/**
 * Flyway SQL migrations: `V1__create_users.sql`, `V13.1__x.sql`, `V1.0.0.1__x.sql` (versions compared part by
 * part, `1.0` = `1`), optional undo `U1__create_users.sql`, found anywhere below the location. Files that are
 * not Flyway names (`rollback/1.0__drop.sql`, notes) are skipped, as Flyway skips them. `${name}`
 * placeholders are replaced as Flyway replaces them (see flywayPlaceholders); one without a value is
 * refused when the migration is read, naming the file, the line and where to set it. Repeatable `R__`
 * scripts are refused: ddlgate runs each migration once.
 */
export const flyway: Layout = {
  name: 'flyway',
  expected: 'V<version>__<description>.sql with optional U<version>__<description>.sql undo (e.g. V1__create_users.sql)',
  discover(dir, _files, context) {
    const ups: MigrationEntry[] = [];
    const undos = new Map<string, string>();
    const ignored: string[] = [];
    const placeholders = flywayPlaceholders(dir, context?.placeholders);
    const withPlaceholders = Object.keys(placeholders).length ? { placeholders } : {};
    for (const relative of flywayFiles(dir)) {
      const full = path.join(dir, relative);
      const match = FLYWAY_PATTERN.exec(path.basename(relative));
      if (!match || !VERSION.test(match[2]!) && match[1] !== 'R') {
        ignored.push(relative);
        continue;
      }
      const [, prefix, version, name] = match as unknown as [string, 'V' | 'U' | 'R', string, string];
      if (prefix === 'R') throw new InputError(`${displayPath(full)}: repeatable Flyway migrations (R__) are not supported; make it a versioned migration`);
      if (prefix === 'U') undos.set(versionKey(version), full);
      else ups.push({ version, name, upPath: full, upSource: { path: full, flyway: true, ...withPlaceholders }, layout: 'flyway' });
    }
    noticeIgnored(context, dir, 'flyway', ignored, 'not V<version>__<description>.sql; Flyway skips them');
    const ordered = orderByVersion(ups).map((entry) => {
      const undo = undos.get(versionKey(entry.version));
      undos.delete(versionKey(entry.version));
      return undo ? { ...entry, downPath: undo, downSource: { path: undo, flyway: true, ...withPlaceholders } } : entry;
    });
    for (const orphan of undos.values()) throw new InputError(`${displayPath(orphan)}: undo migration without its V file`);
    return ordered;
  },
};
