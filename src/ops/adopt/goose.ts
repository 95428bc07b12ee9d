import { matchVersions, type AdoptReader } from './source.js';

/**
 * goose (pressly/goose) appends a row per up (`is_applied = true`) and, in older releases, per down
 * (`is_applied = false`); newer releases delete the row on down. Like goose, the newest row (highest id) of
 * each version decides whether it is applied, and version 0 is goose's own starting row, not a migration.
 * goose records nothing for a migration that failed, so the table has no failed state to refuse.
 */
export const goose: AdoptReader = {
  table: 'public.goose_db_version',
  columns: ['version_id', 'is_applied'],
  async read({ client, table, columns, entries }) {
    const order = columns.has('id') ? 'id DESC' : `${columns.has('tstamp') ? 'tstamp DESC, ' : ''}version_id DESC`;
    const rows = (await client.query(`SELECT version_id::text AS version, is_applied, ${columns.has('tstamp') ? 'tstamp' : 'NULL::timestamp AS tstamp'} FROM ${table} ORDER BY ${order}`)).rows;
    const latest = new Map<string, { version: string; is_applied: boolean; tstamp: Date | null }>();
    for (const row of rows) if (!latest.has(row.version)) latest.set(row.version, row);
    const applied = [...latest.values()].filter((row) => row.is_applied && row.version !== '0').reverse();
    return matchVersions(
      entries,
      applied.map((row) => ({ version: row.version, appliedAt: row.tstamp })),
      'older than the newest version goose applied, but not applied (goose up refuses such a missing migration unless -allow-missing)',
    );
  },
};
