import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'refresh-materialized-view',
  severity: 'error',
  category: 'lock',
  summary: '`REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.',
  why: 'A plain refresh recomputes the view while holding an ACCESS EXCLUSIVE lock on it: every query reading the view waits for the whole recomputation.',
  safe: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view and lets reads continue), or refresh from a scheduled job rather than a migration.',
  bad: 'REFRESH MATERIALIZED VIEW sales_summary;',
  good: 'REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;',
  kinds: ['RefreshMatViewStmt'],
  check(statement, state) {
    const refresh = statement.node.RefreshMatViewStmt;
    if (!refresh || refresh.concurrent) return [];
    const view = rangeVarRef(refresh.relation);
    if (!view || state.isNewTable(view)) return [];
    return [{ message: `REFRESH MATERIALIZED VIEW ${refText(view)} without CONCURRENTLY blocks every read of the view until the refresh ends` }];
  },
};
