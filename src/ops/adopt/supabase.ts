import { matchRows, type AdoptReader } from './source.js';

/**
 * The supabase CLI records each applied file's timestamp as `version` (text) in
 * `supabase_migrations.schema_migrations`, with its name and statements; a failed file is rolled back unrecorded.
 * `supabase db push` refuses remote versions without a local file (`supabase migration repair --status reverted`)
 * and local files older than the last remote one (unless `--include-all`): both are reported, not adopted.
 */
export const supabase: AdoptReader = {
  table: 'supabase_migrations.schema_migrations',
  columns: ['version'],
  async read({ client, table, columns, entries }) {
    const rows = (await client.query(`SELECT version::text AS version${columns.has('name') ? ', name' : ', NULL AS name'} FROM ${table} ORDER BY version`)).rows;
    const state = matchRows(
      entries,
      rows,
      (row) => {
        const entry = entries.find((e) => e.version === row.version);
        return entry && { entry, matchedBy: 'version' };
      },
      (row) => ({ entry: `version ${row.version}${row.name ? ` (${row.name})` : ''}`, appliedAt: null }),
      'older than the newest version supabase applied, but not in its table (supabase db push refuses it without --include-all)',
    );
    if (state.withoutFile.length) state.notes.push(`versions recorded by supabase without a local file; supabase itself wants \`supabase migration repair --status reverted ${state.withoutFile.map((w) => w.entry.split(' ')[1]).join(' ')}\` or the missing files`);
    return state;
  },
};
