import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../../errors.js';
import { quoteIdent } from '../../db/connection.js';
import { displayPath } from '../../migrations/discover.js';
import { byVersion, claim, emptyState, fileBase, gaps, type AdoptReader } from './source.js';

const SUCCESS_STATUS = new Set(['applied', 'success', 'succeeded', 'successful', 'complete', 'completed', 'done', 'ok', 'migrated']);

/** The checksums a hand-made runner is likely to have stored for a file: SHA-256 or MD5 of its raw or normalised text. */
function knownChecksums(file: string): Set<string> {
  const raw = readFileSync(file);
  const normalised = Buffer.from(raw.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'), 'utf8');
  return new Set([raw, normalised].flatMap((bytes) => ['sha256', 'md5'].map((algorithm) => createHash(algorithm).update(bytes).digest('hex'))));
}

/** A hand-made runner's `schema_migrations (version, checksum, status …)`. */
export const schemaMigrations: AdoptReader = {
  table: 'public.schema_migrations',
  columns: ['version', 'checksum', 'status'],
  async read({ client, table, shown, columns, entries }) {
    const state = emptyState();
    const at = ['applied_at', 'executed_at', 'installed_on', 'run_on'].find((c) => columns.has(c));
    const rows = (await client.query(`SELECT version::text AS version, checksum::text AS checksum, status::text AS status${at ? `, ${quoteIdent(at)} AS applied_at` : ''} FROM ${table} ORDER BY version`)).rows;
    const bad = rows.find((row: any) => !SUCCESS_STATUS.has(String(row.status).toLowerCase()));
    if (bad) throw new OperationError(`${shown}: version ${bad.version} has status "${bad.status}" (not applied); finish or undo it first — nothing was adopted`);
    for (const row of rows) {
      const entry = byVersion(entries, row.version) ?? entries.find((e) => fileBase(e) === row.version || path.basename(e.upPath) === row.version);
      if (!entry) {
        state.withoutFile.push({ entry: `version ${row.version}`, appliedAt: row.applied_at ?? null });
        continue;
      }
      claim(state, entry, 'version', row.applied_at ?? null);
      if (row.checksum && !knownChecksums(entry.upPath).has(String(row.checksum).toLowerCase())) {
        state.notes.push(`${displayPath(entry.upPath)}: recorded checksum ${String(row.checksum).slice(0, 12)}… matches neither its SHA-256 nor its MD5; the file may have changed since it was applied`);
      }
    }
    state.unrecorded = gaps(entries, state.matches, 'older than the newest recorded version, but not in the table');
    return state;
  },
};
