import path from 'node:path';
import { compareVersions } from '../version.js';
import type { MigrationEntry } from '../types.js';
import type { Layout } from './common.js';
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
  emptyDownIsNoOp: true,
};

const NAME = /^(\d+)[-_]?(.*)\.sql$/;

export const sqlMigrate: Layout = {
  name: 'sql-migrate',
  expected: '<number>-<name>.sql with "-- +migrate Up" and "-- +migrate Down" sections (e.g. 20170426134008-init.sql)',
  discover(dir, files, context) {
    const entries: MigrationEntry[] = files.map((fileName) => {
      const match = NAME.exec(fileName);
      const version = match ? match[1]! : fileName.replace(/\.sql$/i, '');
      const name = match ? match[2]! || fileName : fileName;
      return sectionedEntry('sql-migrate', path.join(dir, fileName), version, name, SQL_MIGRATE_MARKERS);
    });
    // sql-migrate orders by the number, then by file name, and keys each migration by its file name, so
    // two files may share a number. ddlgate keys by version: the second and later files of one number get
    // the key `<number>.1`, `<number>.2` … in that same order (a notice names them); every file of the run
    // keeps the number itself as its toolVersion, which is what reports show.
    const numbered = entries
      .filter((entry) => /^\d+$/.test(entry.version))
      .sort((a, b) => compareVersions(a.version, b.version) || (path.basename(a.upPath) < path.basename(b.upPath) ? -1 : 1));
    const named = entries.filter((entry) => !/^\d+$/.test(entry.version));
    const renamed: string[] = [];
    let run = 0;
    for (let index = 1; index < numbered.length; index++) {
      const previous = numbered[index - 1]!;
      const entry = numbered[index]!;
      run = compareVersions(previous.toolVersion ?? previous.version, entry.version) === 0 ? run + 1 : 0;
      if (run > 0) {
        entry.toolVersion = previous.toolVersion ?? previous.version;
        previous.toolVersion = entry.toolVersion;
        entry.version = `${entry.toolVersion}.${run}`;
        renamed.push(`${path.basename(entry.upPath)} → ${entry.version}`);
      }
    }
    if (renamed.length) context?.notice(`files sharing a number are told apart by name, as sql-migrate does: ${renamed.join(', ')}`);
    return [...numbered, ...named];
  },
};
