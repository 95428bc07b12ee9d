import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'rename-column',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: 'Rename of a column of an existing table.',
  why: 'The application version running during and after the deploy still selects and writes the old column name: its queries fail until every instance runs the new code.',
  safe: 'Add the new column, write to both and backfill, switch reads, then drop the old one in a later release; or mark the migration as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking) when downtime is accepted.',
  bad: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
  good: 'ALTER TABLE users ADD COLUMN full_name text;\n-- dual-write, backfill in batches, switch reads, then drop name',
  kinds: ['RenameStmt'],
  check(statement, state) {
    const rename = statement.node.RenameStmt;
    if (!rename || rename.renameType !== 'OBJECT_COLUMN') return [];
    const table = rangeVarRef(rename.relation);
    if (!table || state.isNewTable(table)) return [];
    return [{ message: `column ${refText(table)}.${rename.subname} renamed to ${rename.newname}: queries using the old name fail` }];
  },
};
