import { readSqlFile } from '../script.js';
import type { MigrationEntry } from '../types.js';
import { hasSql, type Layout } from './common.js';
import { pairUpDown } from './native.js';

/**
 * golang-migrate: `{version}_{title}.up.sql` / `.down.sql` (`migrate create -ext sql -seq` writes
 * `000001_create_users.up.sql`). The names are ddlgate's native ones; the difference is that `migrate create`
 * writes both files empty, so an empty (or comment-only) down file means "no down", not an error.
 */
export const golangMigrate: Layout = {
  name: 'golang-migrate',
  expected: '{version}_{title}.up.sql and {version}_{title}.down.sql (e.g. 000001_create_users.up.sql)',
  discover(dir, files): MigrationEntry[] {
    return pairUpDown(dir, files, golangMigrate).map((pair) => {
      const down = pair.down && hasSql(readSqlFile(pair.down).split('\n')) ? pair.down : undefined;
      return {
        version: pair.version,
        name: pair.name,
        upPath: pair.up!,
        ...(down ? { downPath: down } : {}),
        upSource: { path: pair.up! },
        ...(down ? { downSource: { path: down } } : {}),
        layout: 'golang-migrate' as const,
      };
    });
  },
};
