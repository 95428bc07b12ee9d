import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { MigrationEntry } from '../types.js';
import { headerMetadata, notThisLayout, orderByVersion, PREFIXED_SQL, type Layout } from './common.js';
import { displayPath } from './files.js';

/**
 * Flat ordered scripts: `00_tracking.sql`, `01_schema.sql` … run in name order, no down. The digit prefix
 * is the version; name order and version order must agree (`9_x.sql` sorts after `10_y.sql` by name), so
 * a directory where they differ is refused rather than run in a surprising order.
 */
const UP_ONLY = /^(\d+)_(.+)\.up\.sql$/;

export const flat: Layout = {
  name: 'flat',
  expected: 'NN_name.sql, run in name order (e.g. 00_tracking.sql, 01_schema.sql)',
  discover(dir, files) {
    // Runners that treat every file as an up migration (fider's) mix `NN_name.sql` and `NN_name.up.sql`:
    // with no `.down.sql` anywhere, `.up` is just part of the name.
    const upsOnly = !files.some((fileName) => /\.down\.sql$/.test(fileName));
    const entries: MigrationEntry[] = files.map((fileName) => {
      const match = PREFIXED_SQL.exec(fileName) ?? (upsOnly ? UP_ONLY.exec(fileName) : null);
      if (!match) throw notThisLayout(dir, fileName, flat);
      const file = path.join(dir, fileName);
      const metadata = headerMetadata(readSqlFile(file).split('\n'));
      return { version: match[1]!, name: match[2]!, upPath: file, upSource: { path: file }, layout: 'flat' as const, ...(metadata ? { metadata } : {}) };
    });
    const ordered = orderByVersion(entries);
    for (const [index, entry] of ordered.entries()) {
      if (entry !== entries[index]) {
        throw new InputError(`${displayPath(entry.upPath)}: name order and version order disagree (${path.basename(entries[index]!.upPath)} sorts first by name); zero-pad the prefixes to the same width`);
      }
    }
    return ordered;
  },
};
