import path from 'node:path';
import { readSqlFile } from '../script.js';
import type { MigrationEntry } from '../types.js';
import { hasSql, noticeIgnored, orderByVersion, type Layout } from './common.js';

/**
 * ory popx (Kratos, Hydra, Keto): `<version>_<name>[.<dialect>][.autocommit].<up|down>.sql`. For PostgreSQL
 * the `.postgres.` file overrides the dialect-independent one of the same version; other dialects' files are
 * not read. An up file without SQL is a placeholder popx skips (it keeps versions aligned across dialects).
 * `.autocommit.` files run outside a transaction.
 */
export const POPX_FILE = /^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.sql$/;
export const POPX_DIALECTS = /\.(postgres|cockroach|mysql|sqlite3?)(\.autocommit)?\.(up|down)\.sql$/;
const DIALECT = 'postgres';

interface Chosen {
  file: string;
  name: string;
  dialect: string;
  autocommit: boolean;
}

export const popx: Layout = {
  name: 'popx',
  expected: '<version>_<name>.postgres.up.sql or <version>_<name>.up.sql (e.g. 20150100000001000000_networks.postgres.up.sql)',
  discover(dir, files, context) {
    const chosen = new Map<string, Chosen>();
    const otherDialects: string[] = [];
    const unmatched: string[] = [];
    for (const fileName of files) {
      const match = POPX_FILE.exec(fileName);
      if (!match) {
        unmatched.push(fileName);
        continue;
      }
      let [, version, name, dialect, autocommit, direction] = match as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (dialect === '.autocommit') [dialect, autocommit] = [undefined, '.autocommit'];
      const db = dialect ? dialect.slice(1) : 'all';
      if (db !== DIALECT && db !== 'all') {
        otherDialects.push(fileName);
        continue;
      }
      const key = `${BigInt(version)}:${direction}`;
      const existing = chosen.get(key);
      if (existing && existing.dialect === DIALECT) continue;
      chosen.set(key, { file: fileName, name, dialect: db, autocommit: Boolean(autocommit) });
    }
    noticeIgnored(context, dir, 'popx', unmatched, 'not popx migration names');
    noticeIgnored(context, dir, 'popx', otherDialects, 'for other databases');
    const entries: MigrationEntry[] = [];
    const placeholders: string[] = [];
    for (const [key, up] of chosen) {
      if (!key.endsWith(':up')) continue;
      const upPath = path.join(dir, up.file);
      if (!hasSql(readSqlFile(upPath).split('\n'))) {
        placeholders.push(up.file);
        continue;
      }
      const version = /^(\d+)_/.exec(up.file)![1]!;
      const down = chosen.get(key.replace(/:up$/, ':down'));
      const downPath = down ? path.join(dir, down.file) : undefined;
      const hasDown = downPath !== undefined && hasSql(readSqlFile(downPath).split('\n'));
      entries.push({
        version,
        name: up.name,
        upPath,
        upSource: { path: upPath, ...(up.autocommit ? { noTransaction: true } : {}) },
        ...(hasDown ? { downPath, downSource: { path: downPath!, ...(down!.autocommit ? { noTransaction: true } : {}) } } : {}),
        layout: 'popx',
      });
    }
    noticeIgnored(context, dir, 'popx', placeholders, 'empty up files: placeholders popx skips');
    return orderByVersion(entries);
  },
};
