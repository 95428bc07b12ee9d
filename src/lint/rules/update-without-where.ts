import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'update-without-where',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`UPDATE` without `WHERE` on an existing table (an unbatched backfill).',
  why: 'Every row is rewritten in one statement inside the migration\'s transaction: all rows stay locked (concurrent updates and deletes wait) until the whole migration commits, the table doubles in size until vacuum, and the WAL burst can stall replicas.',
  safe: 'Backfill in bounded batches (UPDATE … WHERE id BETWEEN … or WHERE id IN (SELECT … LIMIT 10000)), each committed separately, from a job or a non-transactional migration.',
  bad: "UPDATE users SET plan = 'free';",
  good: "UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 10000);  -- repeated until no row is left",
  kinds: ['UpdateStmt'],
  check(statement, state) {
    const update = statement.node.UpdateStmt;
    if (!update || update.whereClause) return [];
    const table = rangeVarRef(update.relation);
    if (!table || state.isNewTable(table)) return [];
    return [{ message: `UPDATE without WHERE on existing table ${refText(table)} rewrites and locks every row until the migration commits` }];
  },
};
