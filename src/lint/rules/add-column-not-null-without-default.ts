import { columnConstraints } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'add-column-not-null-without-default',
  severity: 'error',
  category: 'column',
  summary: '`ADD COLUMN … NOT NULL` without a `DEFAULT` on an existing table.',
  why: 'Existing rows would get NULL, so PostgreSQL rejects the statement as soon as the table has one row: the migration passes on an empty development database and fails in production.',
  safe: 'Give the column a constant DEFAULT (no table rewrite since PostgreSQL 11), or add it nullable, backfill in batches, then add CHECK (col IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL.',
  bad: 'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
  good: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const column of addedColumns(alter.cmds)) {
      const constraints = columnConstraints(column);
      const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      const filled = constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED');
      const serial = /^(small|big)?serial[248]?$/.test(column.typeName?.names?.at(-1)?.String?.sval ?? '');
      if (!notNull || filled || serial) continue;
      hits.push({ message: `column ${column.colname} added to existing table ${alter.name} as NOT NULL without a DEFAULT: this fails as soon as the table has a row` });
    }
    return hits;
  },
};
