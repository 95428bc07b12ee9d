import path from 'node:path';
import { OperationError } from '../../errors.js';
import type { MigrationEntry } from '../../migrations/types.js';
import { compareVersions } from '../../migrations/version.js';
import { byVersion, emptyState, gaps, sameVersion, type AdoptReader, type Match } from './source.js';

/** Flyway's history: one row per action (SQL, BASELINE, UNDO_SQL, DELETE …), `success = false` for a failed one. */
export const flyway: AdoptReader = {
  table: 'public.flyway_schema_history',
  columns: ['installed_rank', 'version', 'type', 'script', 'success'],
  async read({ client, table, shown, columns, entries }) {
    const state = emptyState();
    const rows = (await client.query(`SELECT installed_rank, version, type, script, success, ${columns.has('installed_on') ? 'installed_on' : 'NULL::timestamptz AS installed_on'} FROM ${table} ORDER BY installed_rank`)).rows;
    const failed = rows.find((row: any) => !row.success);
    if (failed) throw new OperationError(`${shown}: Flyway migration ${failed.version ?? failed.script} failed (success = false); fix the database and run \`flyway repair\`, then adopt again — nothing was adopted`);
    const applied = new Map<MigrationEntry, Match>();
    for (const row of rows) {
      const type = String(row.type).toUpperCase();
      if (type === 'SCHEMA') continue;
      if (row.version === null) {
        state.notes.push(`repeatable Flyway migration ${row.script} not adopted (ddlgate has no repeatable migrations)`);
        continue;
      }
      if (type === 'BASELINE') {
        for (const entry of entries) if (compareVersions(entry.version, row.version) <= 0 || sameVersion(entry.version, row.version)) applied.set(entry, { entry, matchedBy: `Flyway baseline ${row.version}`, appliedAt: row.installed_on });
        continue;
      }
      const entry = entries.find((e) => path.basename(e.upPath) === row.script) ?? byVersion(entries, row.version);
      if (type === 'UNDO_SQL' || type === 'DELETE') {
        if (entry) applied.delete(entry);
        continue;
      }
      if (entry) applied.set(entry, { entry, matchedBy: path.basename(entry.upPath) === row.script ? 'script' : 'version', appliedAt: row.installed_on });
      else state.withoutFile.push({ entry: `${row.version} (${row.script})`, appliedAt: row.installed_on });
    }
    state.matches = [...applied.values()];
    state.unrecorded = gaps(entries, state.matches, 'older than the newest version Flyway applied, but not in its history (Flyway would call it ignored)');
    return state;
  },
};
