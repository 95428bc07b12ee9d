import { nonTransactionalReason } from '../../sql/transaction-rules.js';
import type { SqlStatement } from '../../sql/statements.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'concurrently-in-transaction',
  severity: 'error',
  category: 'transaction',
  summary: '`CONCURRENTLY` (or another statement that cannot run in a transaction) inside BEGIN … COMMIT, a DO block or a function.',
  why: 'CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and VACUUM fail with "cannot run inside a transaction block": the migration fails at that statement.',
  safe: 'Remove the explicit BEGIN/COMMIT (ddlgate then runs a file containing CONCURRENTLY statement by statement, recording progress so it can resume), and run the statement at top level, not from a DO block or function. Keep such statements in their own migration.',
  bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;',
  good: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
  check(statement) {
    const reason = nonTransactionalReason({ node: statement.node } as SqlStatement);
    if (!reason || !statement.inTransaction) return [];
    const where = statement.origin === 'file' ? 'inside an explicit BEGIN … COMMIT' : 'inside a DO block or function, which always runs in a transaction';
    return [{ message: `${reason} cannot run ${where}: PostgreSQL rejects it with "cannot run inside a transaction block"` }];
  },
};
