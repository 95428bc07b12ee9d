import { listFiles } from '../../migrations/layouts/files.js';
import { claim, emptyState, gaps, type AdoptReader } from './source.js';

/**
 * ory popx keeps `schema_migration (version, version_self)`, one row per applied version, and asks for each file
 * exactly what popx asks: is its version there, or, for versions longer than 14 digits, the 14-digit legacy
 * version pop once wrote? Empty placeholder files and other dialects' versions are recorded by popx too; rows
 * for them are not "without a file". popx has no failed state: each migration and its row commit together.
 */
export const popx: AdoptReader = {
  table: 'public.schema_migration',
  columns: ['version'],
  async read({ client, table, entries, dir }) {
    const state = emptyState();
    const rows: string[] = (await client.query(`SELECT version::text AS version FROM ${table} ORDER BY version`)).rows.map((row) => row.version);
    const recorded = new Set(rows);
    const used = new Set<string>();
    for (const entry of entries) {
      const legacy = entry.version.length > 14 ? entry.version.slice(0, 14) : undefined;
      if (recorded.has(entry.version)) {
        claim(state, entry, 'version', null);
        used.add(entry.version);
      } else if (legacy && recorded.has(legacy)) {
        claim(state, entry, 'legacy 14-digit version', null);
        used.add(legacy);
      }
    }
    const onDisk = new Set(listFiles(dir).map((name) => /^(\d+)_/.exec(name)?.[1]));
    const unused = rows.filter((version) => !used.has(version));
    const placeholders = unused.filter((version) => onDisk.has(version));
    state.withoutFile = unused.filter((version) => !onDisk.has(version)).map((version) => ({ entry: `version ${version}`, appliedAt: null }));
    if (placeholders.length) state.notes.push(`recorded version(s) ${placeholders.join(', ')} are placeholder or other-database files with no PostgreSQL SQL: nothing to adopt`);
    state.unrecorded = gaps(entries, state.matches, 'older than the newest version popx applied, but not in schema_migration (popx would run it now)');
    return state;
  },
};
