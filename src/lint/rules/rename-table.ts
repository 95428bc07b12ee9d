import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

const KINDS: Record<string, string> = { OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view', OBJECT_FOREIGN_TABLE: 'foreign table' };

export const rule: Rule = {
  id: 'rename-table',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: 'Rename of an existing table (or view).',
  why: 'The application version that is running during and after the deploy still uses the old name: its queries fail until every instance runs the new code.',
  safe: 'Create the new name as a view on the old table (or the reverse) so both names work, switch the code, then drop the alias later; or mark the migration as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking) when downtime is accepted.',
  bad: 'ALTER TABLE customers RENAME TO clients;',
  good: 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;  -- keeps old code working until it is gone',
  kinds: ['RenameStmt'],
  check(statement, state) {
    const rename = statement.node.RenameStmt;
    const kind = rename && KINDS[rename.renameType];
    if (!kind) return [];
    const table = rangeVarRef(rename.relation);
    if (!table || state.isNewTable(table)) return [];
    return [{ message: `${kind} ${refText(table)} renamed to ${rename.newname}: queries using the old name fail` }];
  },
};
