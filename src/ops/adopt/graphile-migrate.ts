import path from 'node:path';
import { displayPath } from '../../migrations/discover.js';
import { claim, emptyState, type AdoptReader } from './source.js';

/**
 * graphile-migrate records each committed migration's `hash`, `previous_hash` and `filename`, and, like
 * `graphile-migrate migrate`, treats every committed file up to the newest recorded filename as applied (it runs
 * only the files after it). The chain (previous_hash references) means there is no gap to find. A recorded hash
 * that differs from the committed file's is named: the file was changed after it ran.
 */
export const graphileMigrate: AdoptReader = {
  table: 'graphile_migrate.migrations',
  columns: ['hash', 'previous_hash', 'filename'],
  async read({ client, table, columns, entries }) {
    const state = emptyState();
    const rows: Array<{ hash: string; filename: string; date: Date | null }> = (
      await client.query(`SELECT hash, filename, ${columns.has('date') ? 'date' : 'NULL::timestamptz AS date'} FROM ${table} ORDER BY filename`)
    ).rows;
    const last = rows[rows.length - 1];
    if (!last) return state;
    const byName = new Map(rows.map((row) => [row.filename, row]));
    for (const entry of entries) {
      const filename = path.basename(entry.upPath);
      if (filename > last.filename) continue;
      const row = byName.get(filename);
      claim(state, entry, row ? 'filename' : `filename ≤ ${last.filename}`, row?.date ?? null);
      if (row && entry.metadata?.Hash && row.hash !== entry.metadata.Hash) state.notes.push(`${displayPath(entry.upPath)}: recorded hash ${row.hash} differs from the committed file's ${entry.metadata.Hash}; it changed after graphile-migrate ran it`);
    }
    const files = new Set(entries.map((entry) => path.basename(entry.upPath)));
    state.withoutFile = rows.filter((row) => !files.has(row.filename)).map((row) => ({ entry: `${row.filename} (${row.hash})`, appliedAt: row.date }));
    return state;
  },
};
