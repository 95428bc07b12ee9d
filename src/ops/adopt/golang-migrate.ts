import { OperationError } from '../../errors.js';
import { compareVersions } from '../../migrations/version.js';
import { byVersion, claim, emptyState, type AdoptReader } from './source.js';

/** golang-migrate keeps one row: the current version and whether its last migration failed part-way (dirty). */
export const golangMigrate: AdoptReader = {
  table: 'public.schema_migrations',
  columns: ['version', 'dirty'],
  async read({ client, table, shown, entries }) {
    const state = emptyState();
    const rows = (await client.query(`SELECT version::text AS version, dirty FROM ${table}`)).rows;
    if (rows.length > 1) throw new OperationError(`${shown} has ${rows.length} rows; golang-migrate keeps exactly one (is this dbmate's table? try --from dbmate)`);
    const row = rows[0];
    if (!row || Number(row.version) < 0) return state;
    if (row.dirty) throw new OperationError(`${shown}: golang-migrate state is dirty at version ${row.version} (that migration failed part-way); repair the database, run \`migrate force <version>\`, then adopt again — nothing was adopted`);
    for (const entry of entries) if (compareVersions(entry.version, row.version) <= 0) claim(state, entry, `version ≤ ${row.version}`, null);
    if (!byVersion(entries, row.version)) state.withoutFile.push({ entry: `version ${row.version}`, appliedAt: null });
    return state;
  },
};
