import path from 'node:path';
import { displayPath } from '../../migrations/discover.js';
import { readDrizzleJournal } from '../../migrations/layouts/drizzle.js';
import { claim, emptyState, hashOfFile, type AdoptReader } from './source.js';

/** drizzle-orm hashes the raw file text (sha256 hex) and stores the journal's `when` as created_at. */
export const drizzle: AdoptReader = {
  table: 'drizzle.__drizzle_migrations',
  columns: ['hash', 'created_at'],
  async read({ client, table, columns, entries, dir }) {
    const state = emptyState();
    const rows = (await client.query(`SELECT hash, created_at::text AS created_at FROM ${table} ORDER BY ${columns.has('id') ? 'id' : 'created_at'}`)).rows;
    const hashes = new Map(entries.map((entry) => [hashOfFile('sha256', entry.upPath), entry]));
    let whenOf = new Map<string, number>();
    try {
      whenOf = new Map(readDrizzleJournal(dir).map((j) => [path.join(dir, `${j.tag}.sql`), j.when]));
    } catch {
      // Not a drizzle-kit folder: match by hash only.
    }
    for (const row of rows) {
      const byHash = hashes.get(row.hash);
      const byWhen = entries.find((entry) => String(whenOf.get(entry.upPath)) === row.created_at);
      if (byHash) claim(state, byHash, 'hash', null);
      else if (byWhen) {
        claim(state, byWhen, 'journal timestamp', null);
        state.notes.push(`${displayPath(byWhen.upPath)}: changed since drizzle applied it (hash differs); matched by its journal timestamp ${row.created_at}`);
      } else state.withoutFile.push({ entry: `hash ${String(row.hash).slice(0, 12)}… (created_at ${row.created_at})`, appliedAt: null });
    }
    // drizzle treats every journal entry up to the newest created_at as applied.
    const newest = rows.reduce((max: number, row: any) => Math.max(max, Number(row.created_at)), -Infinity);
    const matched = new Set(state.matches.map((m) => m.entry));
    state.unrecorded = entries
      .filter((entry) => !matched.has(entry) && (whenOf.get(entry.upPath) ?? Infinity) <= newest)
      .map((entry) => ({ entry, reason: 'its journal timestamp is older than the newest drizzle migration, but its hash is not in the table' }));
    return state;
  },
};
