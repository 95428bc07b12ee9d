import path from 'node:path';
import { InputError } from '../../errors.js';
import type { MigrationEntry } from '../types.js';
import { versionKey } from '../version.js';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';
import { displayPath } from './files.js';

export const GOLANG_MIGRATE_FILE = /^(\d+)_(.*)\.(up|down)\.sql$/;

/**
 * golang-migrate: `{version}_{title}.up.sql` / `.down.sql`, read as golang-migrate reads them: up and down
 * are paired by VERSION (`30_add_x.up.sql` goes with `30_drop_x.down.sql`), the name is the up file's;
 * a down file without SQL (empty or comments only) is a deliberate no-op: golang-migrate runs it, nothing
 * happens and the version goes, so ddlgate's rollback passes it too (only a MISSING down file refuses);
 * files whose names do not match are skipped (golang-migrate skips them), and so is a down without its up.
 */
export const golangMigrate: Layout = {
  name: 'golang-migrate',
  expected: '{version}_{title}.up.sql and {version}_{title}.down.sql (e.g. 000001_create_users.up.sql)',
  discover(dir, files, context): MigrationEntry[] {
    const ups = new Map<string, { version: string; name: string; file: string }>();
    const downs = new Map<string, string>();
    const ignored: string[] = [];
    for (const fileName of files) {
      const match = GOLANG_MIGRATE_FILE.exec(fileName);
      if (!match) {
        ignored.push(fileName);
        continue;
      }
      const [, version, name, direction] = match as unknown as [string, string, string, 'up' | 'down'];
      const key = versionKey(version);
      const file = path.join(dir, fileName);
      const other = direction === 'up' ? ups.get(key)?.file : downs.get(key);
      if (other) throw new InputError(`${displayPath(file)}: duplicate migration version ${version}, also used by ${displayPath(other)}`);
      if (direction === 'up') ups.set(key, { version, name, file });
      else downs.set(key, file);
    }
    const orphans = [...downs].filter(([key]) => !ups.has(key)).map(([, file]) => path.basename(file));
    noticeIgnored(context, dir, 'golang-migrate', ignored, 'not {version}_{title}.up|down.sql');
    noticeIgnored(context, dir, 'golang-migrate', orphans, 'down files without an up file of their version');
    return orderByVersion(
      [...ups].map(([key, up]) => {
        const down = downs.get(key);
        return {
          version: up.version,
          name: up.name,
          upPath: up.file,
          upSource: { path: up.file },
          ...(down ? { downPath: down, downSource: { path: down, noOpWhenEmpty: true } } : {}),
          layout: 'golang-migrate' as const,
        };
      }),
    );
  },
};
