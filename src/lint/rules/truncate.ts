import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'truncate',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`TRUNCATE` of a table that existed before the migration.',
  why: 'Every row is deleted (with CASCADE, also in referencing tables) under an ACCESS EXCLUSIVE lock; a schema migration is rarely the place to destroy data.',
  safe: 'Delete data deliberately and in batches from an operational script, or mark the migration as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking) when emptying the table is really intended.',
  bad: 'TRUNCATE sessions;',
  good: '-- with --allow-breaking, when intended:\nTRUNCATE sessions;',
  kinds: ['TruncateStmt'],
  check(statement, state) {
    const truncate = statement.node.TruncateStmt;
    if (!truncate) return [];
    const existing = (truncate.relations ?? []).map((relation: any) => rangeVarRef(relation.RangeVar)).filter((ref: any) => ref && !state.isNewTable(ref));
    if (existing.length === 0) return [];
    return [{ message: `TRUNCATE ${existing.map(refText).join(', ')}${truncate.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''} deletes every row under an ACCESS EXCLUSIVE lock` }];
  },
};
