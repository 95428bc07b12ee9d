import path from 'node:path';
import { quoteIdent } from '../../db/connection.js';
import { displayPath } from '../../migrations/discover.js';
import { readSqitchPlan } from '../../migrations/layouts/sqitch.js';
import type { MigrationEntry } from '../../migrations/types.js';
import { claim, emptyState, gaps, hashOfFile, type AdoptReader } from './source.js';

interface ChangeRow {
  change: string;
  project: string;
  script_hash: string | null;
  committed_at: Date;
}

/** The sqitch project a deploy script belongs to: the plan next to its `deploy/` folder. */
function projectOf(entry: MigrationEntry, cache: Map<string, string>): string {
  const planDir = path.dirname(path.dirname(entry.upPath));
  if (!cache.has(planDir)) cache.set(planDir, readSqitchPlan(planDir).project);
  return cache.get(planDir)!;
}

/**
 * sqitch's registry (`sqitch` schema): `changes` holds the changes deployed now (a revert deletes the row), keyed
 * by project and change name; a change reworked later in the plan is deployed once per plan occurrence, so the
 * rows of one name are matched to its occurrences in plan order. `script_hash` is the SHA-1 of the deploy script.
 * A failed deploy leaves only a `fail` row in `events` and no change, and `sqitch deploy` simply tries it again:
 * it is named, and left for `ddlgate up`, which does the same.
 */
export const sqitch: AdoptReader = {
  table: 'sqitch.changes',
  columns: ['change_id', 'change', 'project', 'script_hash', 'committed_at'],
  async read({ client, table, schema, entries }) {
    const state = emptyState();
    const projects = new Map<string, string>();
    const own = new Set(entries.map((entry) => projectOf(entry, projects)));
    const rows: ChangeRow[] = (await client.query(`SELECT change, project, script_hash, committed_at FROM ${table} ORDER BY committed_at, change_id`)).rows;
    const others = new Map<string, number>();
    for (const row of rows) {
      if (!own.has(row.project)) {
        others.set(row.project, (others.get(row.project) ?? 0) + 1);
        continue;
      }
      const taken = new Set(state.matches.map((m) => m.entry));
      const entry = entries.find((e) => !taken.has(e) && e.name === row.change && projectOf(e, projects) === row.project);
      if (!entry) {
        state.withoutFile.push({ entry: `${row.project}:${row.change}`, appliedAt: row.committed_at });
        continue;
      }
      claim(state, entry, 'change name', row.committed_at);
      if (row.script_hash && row.script_hash !== hashOfFile('sha1', entry.upPath)) state.notes.push(`${displayPath(entry.upPath)}: changed since sqitch deployed it (script_hash differs)`);
    }
    for (const [project, count] of others) state.notes.push(`${count} change(s) of sqitch project "${project}" are recorded too; that project is not in this directory, so they are left alone`);
    const events = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${quoteIdent(schema)}.events`]);
    if (events.rows[0]?.ok) {
      const failed = await client.query(
        `SELECT DISTINCT ON (project, change) project, change, event, committed_at FROM ${quoteIdent(schema)}.events WHERE project = ANY($1) ORDER BY project, change, committed_at DESC`,
        [[...own]],
      );
      for (const row of failed.rows) {
        const deployed = state.matches.some((m) => m.entry.name === row.change && projectOf(m.entry, projects) === row.project);
        if (row.event === 'fail' && !deployed) state.notes.push(`sqitch's last deploy of ${row.project}:${row.change} failed (${new Date(row.committed_at).toISOString()}); it is not deployed and is left for ddlgate up, as sqitch deploy would retry it — check the database first if its script runs outside a transaction`);
      }
    }
    state.unrecorded = gaps(entries, state.matches, 'planned before the last change sqitch deployed, but not deployed (sqitch deploy would never run it)');
    return state;
  },
};
