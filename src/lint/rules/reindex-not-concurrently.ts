import { booleanOption } from '../../sql/options.js';
import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'reindex-not-concurrently',
  severity: 'error',
  category: 'index',
  summary: '`REINDEX` without `CONCURRENTLY`.',
  why: 'REINDEX locks out writes to the table (SHARE lock) and takes an ACCESS EXCLUSIVE lock on each index being rebuilt, so queries that would use it block too, for the whole rebuild.',
  safe: 'Use REINDEX (CONCURRENTLY) … (PostgreSQL 12+), outside a transaction. Before 12: CREATE INDEX CONCURRENTLY a replacement, DROP INDEX CONCURRENTLY the old one, then rename.',
  bad: 'REINDEX INDEX users_email_idx;',
  good: 'REINDEX INDEX CONCURRENTLY users_email_idx;',
  kinds: ['ReindexStmt'],
  check(statement, state) {
    const reindex = statement.node.ReindexStmt;
    if (!reindex) return [];
    if (booleanOption(reindex.params, 'concurrently')) return [];
    const target = rangeVarRef(reindex.relation);
    if (target && (state.isNewTable(target) || state.isNewIndex(target))) return [];
    const what = target ? refText(target) : reindex.name ? `"${reindex.name}"` : 'everything';
    const hint =
      state.pgVersion < 12
        ? 'PostgreSQL before 12 has no REINDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY a replacement, DROP INDEX CONCURRENTLY the old index, then ALTER INDEX … RENAME.'
        : undefined;
    return [{ message: `REINDEX of ${what} without CONCURRENTLY blocks writes (and reads that use the index) until the rebuild ends`, ...(hint ? { hint } : {}) }];
  },
};
