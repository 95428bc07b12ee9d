import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'delete-without-where',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`DELETE` without `WHERE` on an existing table.',
  why: 'Every row is deleted in one statement inside the migration\'s transaction: all rows stay locked (blocking concurrent updates) until the whole migration commits, the WAL burst can stall replicas, and the data is gone.',
  safe: 'Delete in bounded batches (DELETE … WHERE id IN (SELECT id … LIMIT 10000)) from a job or a non-transactional migration, or mark the migration as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking) when emptying the table is intended.',
  bad: 'DELETE FROM sessions;',
  good: "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() LIMIT 10000);",
  kinds: ['DeleteStmt'],
  check(statement, state) {
    const del = statement.node.DeleteStmt;
    if (!del || del.whereClause) return [];
    const table = rangeVarRef(del.relation);
    if (!table || state.isNewTable(table)) return [];
    return [{ message: `DELETE without WHERE on existing table ${refText(table)} deletes and locks every row until the migration commits` }];
  },
};
