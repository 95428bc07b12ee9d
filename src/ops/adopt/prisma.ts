import { OperationError } from '../../errors.js';
import { displayPath } from '../../migrations/discover.js';
import { folderName, hashOfFile, matchRows, type AdoptReader } from './source.js';

/**
 * prisma migrate keeps a row per attempt in `_prisma_migrations`: `finished_at` set = applied; `rolled_back_at`
 * set = an attempt marked rolled back (ignored); neither = a failed migration, which makes `prisma migrate deploy`
 * stop (P3009) until it is resolved. The checksum is the sha256 of migration.sql.
 */
export const prisma: AdoptReader = {
  table: 'public._prisma_migrations',
  columns: ['migration_name', 'checksum', 'finished_at', 'rolled_back_at', 'started_at'],
  async read({ client, table, shown, entries }) {
    const rows = (await client.query(`SELECT migration_name, checksum, finished_at, rolled_back_at, started_at FROM ${table} ORDER BY started_at, migration_name`)).rows;
    const failed = rows.find((row: any) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      const name = failed.migration_name;
      throw new OperationError(
        `${shown}: prisma migration ${name} failed (started ${new Date(failed.started_at).toISOString()}, never finished; prisma migrate deploy stops here too, P3009); fix the database, then run \`prisma migrate resolve --rolled-back ${name}\` (or \`--applied ${name}\` if it completed) and adopt again — nothing was adopted`,
      );
    }
    const applied = rows.filter((row: any) => row.finished_at !== null && row.rolled_back_at === null);
    const state = matchRows(
      entries,
      applied,
      (row: any) => {
        const entry = entries.find((e) => folderName(e) === row.migration_name);
        return entry && { entry, matchedBy: 'migration name' };
      },
      (row: any) => ({ entry: row.migration_name, appliedAt: row.finished_at }),
      'older than the newest migration prisma applied, but not in _prisma_migrations (prisma migrate deploy would run it now)',
    );
    for (const match of state.matches) {
      const row = applied.find((r: any) => r.migration_name === folderName(match.entry));
      if (row && row.checksum !== hashOfFile('sha256', match.entry.upPath)) state.notes.push(`${displayPath(match.entry.upPath)}: changed since prisma applied it (checksum differs; prisma migrate dev would say it was modified)`);
    }
    return state;
  },
};
