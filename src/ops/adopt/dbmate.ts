import { matchVersions, type AdoptReader } from './source.js';

/** dbmate: one row per applied version, nothing else. */
export const dbmate: AdoptReader = {
  table: 'public.schema_migrations',
  columns: ['version'],
  async read({ client, table, entries }) {
    const rows = (await client.query(`SELECT version::text AS version FROM ${table} ORDER BY version`)).rows;
    return matchVersions(
      entries,
      rows.map((row) => ({ version: row.version, appliedAt: null })),
      'older than the newest version dbmate applied, but not in its table (dbmate would run it next time)',
    );
  },
};
