import { nameListRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'drop-index-not-concurrently',
  severity: 'error',
  category: 'index',
  summary: '`DROP INDEX` without `CONCURRENTLY` on an index that existed before the migration.',
  why: 'DROP INDEX takes an ACCESS EXCLUSIVE lock on the index\'s table: while it waits for running queries to finish, every new read and write on the table queues behind it.',
  safe: 'Use DROP INDEX CONCURRENTLY IF EXISTS (one index per statement, no CASCADE, outside a transaction: ddlgate runs such a file statement by statement).',
  bad: 'DROP INDEX users_email_idx;',
  good: 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
  kinds: ['DropStmt'],
  check(statement, state) {
    const drop = statement.node.DropStmt;
    if (!drop || drop.removeType !== 'OBJECT_INDEX' || drop.concurrent) return [];
    const existing = (drop.objects ?? []).map((object: any) => nameListRef(object.List?.items)).filter((ref: any) => ref && !state.isNewIndex(ref) && !(drop.missing_ok && state.schema.complete && !state.schema.index(ref)));
    if (existing.length === 0) return [];
    return [{ message: `DROP INDEX ${existing.map(refText).join(', ')} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: reads and writes queue behind it` }];
  },
};
