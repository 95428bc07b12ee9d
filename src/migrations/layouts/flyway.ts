import path from 'node:path';
import { InputError } from '../../errors.js';
import type { MigrationEntry } from '../types.js';
import { notThisLayout, orderByVersion, type Layout } from './common.js';
import { displayPath } from './files.js';

export const FLYWAY_PATTERN = /^([VUR])([^_]*(?:_[^_]+)*?)__(.+)\.sql$/;

/**
 * Flyway SQL migrations: `V1__create_users.sql`, optional undo `U1__create_users.sql`. ddlgate versions are
 * whole numbers, so dotted versions (`V1.1__…`, `V1_1__…`) and repeatable `R__` scripts are refused by name.
 */
export const flyway: Layout = {
  name: 'flyway',
  expected: 'V<version>__<description>.sql with optional U<version>__<description>.sql undo (e.g. V1__create_users.sql)',
  discover(dir, files) {
    const ups: MigrationEntry[] = [];
    const undos = new Map<string, string>();
    for (const fileName of files) {
      const full = path.join(dir, fileName);
      const match = FLYWAY_PATTERN.exec(fileName);
      if (!match) throw notThisLayout(dir, fileName, flyway);
      const [, prefix, version, name] = match as unknown as [string, 'V' | 'U' | 'R', string, string];
      if (prefix === 'R') throw new InputError(`${displayPath(full)}: repeatable Flyway migrations (R__) are not supported; make it a versioned migration`);
      if (!/^\d+$/.test(version)) throw new InputError(`${displayPath(full)}: Flyway version "${version}" is not a whole number; ddlgate orders migrations by whole-number versions`);
      if (prefix === 'U') undos.set(BigInt(version).toString(), full);
      else ups.push({ version, name, upPath: full, upSource: { path: full }, layout: 'flyway' });
    }
    const ordered = orderByVersion(ups).map((entry) => {
      const undo = undos.get(BigInt(entry.version).toString());
      undos.delete(BigInt(entry.version).toString());
      return undo ? { ...entry, downPath: undo, downSource: { path: undo } } : entry;
    });
    for (const orphan of undos.values()) throw new InputError(`${displayPath(orphan)}: undo migration without its V file`);
    return ordered;
  },
};
