import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'cluster',
  severity: 'error',
  category: 'lock',
  summary: '`CLUSTER` in a migration.',
  why: 'CLUSTER rewrites the table in index order while holding an ACCESS EXCLUSIVE lock: no read or write proceeds until the rewrite (and the rebuild of every index) ends.',
  safe: 'Use pg_repack (--order-by) to reorder a table online, or schedule CLUSTER in a maintenance window.',
  bad: 'CLUSTER events USING events_created_at_idx;',
  good: '-- pg_repack --table=events --order-by=created_at (outside the migration)',
  kinds: ['ClusterStmt'],
  check(statement, state) {
    const cluster = statement.node.ClusterStmt;
    if (!cluster) return [];
    const table = rangeVarRef(cluster.relation);
    if (table && state.isNewTable(table)) return [];
    return [{ message: `CLUSTER ${table ? refText(table) : '(every previously clustered table)'} rewrites the table under an ACCESS EXCLUSIVE lock` }];
  },
};
