import { OperationError } from '../../errors.js';
import { matchVersions, type AdoptReader } from './source.js';

/**
 * The hasura CLI (its golang-migrate fork) keeps one row per applied version in `hdb_catalog.schema_migrations`
 * with a `dirty` flag set while a migration runs: a dirty row is a migration that failed part-way.
 */
export const hasura: AdoptReader = {
  table: 'hdb_catalog.schema_migrations',
  columns: ['version', 'dirty'],
  async read({ client, table, shown, entries }) {
    const rows = (await client.query(`SELECT version::text AS version, dirty FROM ${table} ORDER BY version`)).rows;
    const dirty = rows.find((row: any) => row.dirty);
    if (dirty) {
      throw new OperationError(
        `${shown}: hasura migration ${dirty.version} is dirty (it failed part-way); repair the database, run \`hasura migrate delete --version ${dirty.version} --server\` (or \`hasura migrate apply --version ${dirty.version} --skip-execution\` if it completed), then adopt again — nothing was adopted`,
      );
    }
    return matchVersions(
      entries,
      rows.map((row) => ({ version: row.version, appliedAt: null })),
      'older than the newest version hasura applied, but not in its table (hasura migrate apply would run it now)',
    );
  },
};
