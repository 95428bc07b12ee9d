import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'create-index-not-concurrently',
  severity: 'error',
  category: 'index',
  summary: '`CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on an existing table.',
  why: 'A plain CREATE INDEX holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits, for minutes or hours on a large table.',
  safe: 'Use CREATE INDEX CONCURRENTLY (in a migration without BEGIN/COMMIT; ddlgate runs it outside a transaction). If it fails it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and retry. For a partitioned table, create the index CONCURRENTLY on each partition, then CREATE INDEX … ON ONLY the parent and ALTER INDEX … ATTACH PARTITION each one.',
  bad: 'CREATE INDEX users_email_idx ON users (email);',
  good: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
  kinds: ['IndexStmt'],
  check(statement, state) {
    const index = statement.node.IndexStmt;
    // ON ONLY a partitioned parent creates an invalid index on the parent alone, instantly: the safe path.
    if (!index || index.concurrent || (index.relation && index.relation.inh !== true)) return [];
    const table = rangeVarRef(index.relation);
    if (!table || state.isNewTable(table)) return [];
    const what = index.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
    return [{ message: `${what} on existing table ${refText(table)} without CONCURRENTLY blocks all writes to it (SHARE lock) for the whole index build` }];
  },
};
