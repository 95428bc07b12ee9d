import { columnConstraints, rangeVarRef, refText } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, addedConstraints, alterExistingTable, keysText } from './helpers.js';

export const rule: Rule = {
  id: 'foreign-key-without-not-valid',
  severity: 'error',
  category: 'constraint',
  summary: '`FOREIGN KEY` added to an existing table without `NOT VALID`.',
  why: 'Adding a foreign key checks every existing row while holding a SHARE ROW EXCLUSIVE lock on both tables: writes to both are blocked for the whole scan. A column added with an inline REFERENCES is worse: the scan runs under the ADD COLUMN\'s ACCESS EXCLUSIVE lock.',
  safe: 'Add the constraint NOT VALID (instant; new rows are checked), then in a later migration VALIDATE CONSTRAINT, which scans under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes continue.',
  bad: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  good: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n-- next migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const constraint of addedConstraints(alter.cmds)) {
      if (constraint.contype !== 'CONSTR_FOREIGN' || constraint.skip_validation) continue;
      const name = constraint.conname ? ` ${constraint.conname}` : '';
      hits.push({
        message: `foreign key${name} (${keysText(constraint.fk_attrs)}) → ${refText(rangeVarRef(constraint.pktable))} added to existing table ${alter.name} without NOT VALID: every row is checked while writes to both tables are blocked`,
      });
    }
    for (const column of addedColumns(alter.cmds)) {
      const fk = columnConstraints(column).find((c) => c.contype === 'CONSTR_FOREIGN');
      if (!fk) continue;
      hits.push({
        message: `column ${column.colname} added to existing table ${alter.name} with an inline REFERENCES ${refText(rangeVarRef(fk.pktable))}: the table is scanned to validate it under an ACCESS EXCLUSIVE lock`,
        hint: `Add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY (${column.colname}) REFERENCES … NOT VALID, and VALIDATE CONSTRAINT in a later migration.`,
      });
    }
    return hits;
  },
};
