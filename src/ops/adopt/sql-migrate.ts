import path from 'node:path';
import { matchRows, type AdoptReader } from './source.js';

/**
 * sql-migrate (rubenv/sql-migrate) keys each applied migration by its file name (`20170426134008-init.sql`) in
 * `gorp_migrations (id, applied_at)`; a failed migration is rolled back and not recorded.
 */
export const sqlMigrate: AdoptReader = {
  table: 'public.gorp_migrations',
  columns: ['id', 'applied_at'],
  async read({ client, table, entries }) {
    const rows = (await client.query(`SELECT id, applied_at FROM ${table} ORDER BY applied_at, id`)).rows;
    return matchRows(
      entries,
      rows,
      (row) => {
        const entry = entries.find((e) => path.basename(e.upPath) === row.id);
        return entry && { entry, matchedBy: 'file name' };
      },
      (row) => ({ entry: row.id, appliedAt: row.applied_at }),
      'sorts before the newest migration sql-migrate applied, but is not in its table (sql-migrate up would run it now)',
    );
  },
};
