import path from 'node:path';
import { InputError } from '../../errors.js';
import { compareVersions } from '../version.js';
import type { MigrationEntry } from '../types.js';
import type { Layout } from './common.js';
import { displayPath } from './files.js';
import { sectionedEntry, type Markers } from './marked.js';

/**
 * sql-migrate (rubenv/sql-migrate): every `.sql` file of the directory, `-- +migrate Up` / `-- +migrate Down`
 * sections, `-- +migrate Up notransaction` to run outside a transaction, `StatementBegin/End` lines as
 * comments. Its order: files whose names start with a number by that number, then the rest by name (the
 * migration id is the file name). Version = the leading number (`20170426134008-init.sql` → 20170426134008).
 */
export const SQL_MIGRATE_MARKERS: Markers = {
  up: /^--\s*\+migrate\s+Up\b/,
  down: /^--\s*\+migrate\s+Down\b/,
  upLabel: '-- +migrate Up',
  downLabel: '-- +migrate Down',
  noTransaction: /\bnotransaction\b/,
};

const NAME = /^(\d+)[-_]?(.*)\.sql$/;

export const sqlMigrate: Layout = {
  name: 'sql-migrate',
  expected: '<number>-<name>.sql with "-- +migrate Up" and "-- +migrate Down" sections (e.g. 20170426134008-init.sql)',
  discover(dir, files) {
    const entries: MigrationEntry[] = files.map((fileName) => {
      const match = NAME.exec(fileName);
      const version = match ? match[1]! : fileName.replace(/\.sql$/i, '');
      const name = match ? match[2]! || fileName : fileName;
      return sectionedEntry('sql-migrate', path.join(dir, fileName), version, name, SQL_MIGRATE_MARKERS);
    });
    const numbered = entries.filter((entry) => /^\d+$/.test(entry.version)).sort((a, b) => compareVersions(a.version, b.version));
    const named = entries.filter((entry) => !/^\d+$/.test(entry.version));
    for (let index = 1; index < numbered.length; index++) {
      if (compareVersions(numbered[index - 1]!.version, numbered[index]!.version) === 0) {
        // sql-migrate tells them apart by file name; ddlgate's tracking is keyed by version, so refuse clearly.
        throw new InputError(`${displayPath(numbered[index]!.upPath)}: same number as ${path.basename(numbered[index - 1]!.upPath)}; ddlgate keys migrations by version`);
      }
    }
    return [...numbered, ...named];
  },
};
