import { columnConstraints, notNullColumnsOf } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, addedConstraints, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'check-without-not-valid',
  severity: 'error',
  category: 'constraint',
  summary: '`CHECK` constraint added to an existing table without `NOT VALID`.',
  why: 'ADD CONSTRAINT … CHECK scans every row to prove the condition while holding an ACCESS EXCLUSIVE lock: no read or write on the table proceeds until the scan ends.',
  safe: 'Add the constraint NOT VALID (instant; new and updated rows are checked), then in a later migration VALIDATE CONSTRAINT, which scans under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes continue.',
  bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
  good: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n-- next migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const constraint of addedConstraints(alter.cmds)) {
      if (constraint.contype !== 'CONSTR_CHECK' || constraint.skip_validation) continue;
      const name = constraint.conname ? ` ${constraint.conname}` : '';
      const notNull = notNullColumnsOf(constraint.raw_expr);
      hits.push({
        message: `CHECK constraint${name} added to existing table ${alter.name} without NOT VALID: every row is scanned under an ACCESS EXCLUSIVE lock`,
        ...(notNull.length
          ? { hint: `Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration; after that, SET NOT NULL on ${notNull.join(', ')} no longer scans the table (PostgreSQL 12+).` }
          : {}),
      });
    }
    for (const column of addedColumns(alter.cmds)) {
      if (!columnConstraints(column).some((c) => c.contype === 'CONSTR_CHECK')) continue;
      hits.push({
        message: `column ${column.colname} added to existing table ${alter.name} with an inline CHECK: every row is scanned to check it under an ACCESS EXCLUSIVE lock`,
        hint: `Add the column without the CHECK, then ADD CONSTRAINT … CHECK (…) NOT VALID, and VALIDATE CONSTRAINT in a later migration.`,
      });
    }
    return hits;
  },
};
