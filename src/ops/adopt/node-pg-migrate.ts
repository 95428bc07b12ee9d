import { byVersion, fileBase, matchRows, type AdoptReader } from './source.js';

/** node-pg-migrate records the file name without its extension (`1700000000000_create-users`) and when it ran. */
export const nodePgMigrate: AdoptReader = {
  table: 'public.pgmigrations',
  columns: ['name', 'run_on'],
  async read({ client, table, columns, entries }) {
    const rows = (await client.query(`SELECT name, run_on FROM ${table} ORDER BY ${columns.has('id') ? 'id' : 'run_on'}`)).rows;
    return matchRows(
      entries,
      rows,
      (row) => {
        const named = entries.find((e) => fileBase(e) === row.name);
        if (named) return { entry: named, matchedBy: 'name' };
        const numbered = /^(\d+)[_-]/.exec(row.name);
        const entry = numbered ? byVersion(entries, numbered[1]!) : undefined;
        return entry && { entry, matchedBy: 'version' };
      },
      (row) => ({ entry: row.name, appliedAt: row.run_on }),
      'older than the newest migration node-pg-migrate ran, but not in its table',
    );
  },
};
