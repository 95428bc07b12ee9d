import { byVersion, matchRows, type AdoptReader } from './source.js';

/**
 * diesel records the version string of each applied folder (`2019-02-26-002946_x` → `20190226002946`,
 * `00000000000000_diesel_initial_setup` → `00000000000000`) and compares it as text; a failed migration is rolled
 * back with its row, so the table has no failed state.
 */
export const diesel: AdoptReader = {
  table: 'public.__diesel_schema_migrations',
  columns: ['version', 'run_on'],
  async read({ client, table, entries }) {
    const rows = (await client.query(`SELECT version::text AS version, run_on FROM ${table} ORDER BY version`)).rows;
    return matchRows(
      entries,
      rows,
      (row) => {
        const entry = entries.find((e) => e.version === row.version) ?? byVersion(entries, row.version);
        return entry && { entry, matchedBy: entry.version === row.version ? 'version' : 'version (as a number)' };
      },
      (row) => ({ entry: `version ${row.version}`, appliedAt: row.run_on }),
      'older than the newest version diesel ran, but not in __diesel_schema_migrations (diesel migration run would run it next)',
    );
  },
};
