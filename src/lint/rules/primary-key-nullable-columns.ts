import { refText } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedConstraints, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'primary-key-nullable-columns',
  severity: 'error',
  category: 'constraint',
  summary: '`ADD PRIMARY KEY USING INDEX` on an existing table whose key columns may hold NULL.',
  why: 'A primary key makes its columns NOT NULL. For a column that is not already NOT NULL (and has no validated CHECK (col IS NOT NULL)), PostgreSQL scans the whole table to prove there is no NULL while holding an ACCESS EXCLUSIVE lock: the USING INDEX shortcut saves the index build, not the scan.',
  safe: 'Make the columns NOT NULL first: ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, SET NOT NULL (instant on PostgreSQL 12+ with the validated CHECK), then ADD PRIMARY KEY USING INDEX.',
  bad: 'ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx; -- id is nullable',
  good: 'ALTER TABLE accounts ADD CONSTRAINT accounts_id_not_null CHECK (id IS NOT NULL) NOT VALID;\n-- next migration:\nALTER TABLE accounts VALIDATE CONSTRAINT accounts_id_not_null;\nALTER TABLE accounts ALTER COLUMN id SET NOT NULL;\nALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const constraint of addedConstraints(alter.cmds)) {
      if (constraint.contype !== 'CONSTR_PRIMARY' || !constraint.indexname) continue;
      const index = state.schema.index({ ...(alter.table.schema ? { schema: alter.table.schema } : {}), name: constraint.indexname });
      const table = state.schema.table(alter.table);
      const provenNotNull = (column: string) => table?.columns.get(column)?.notNull === true || (state.pgVersion >= 12 && state.hasValidatedNotNullCheck(alter.table, column));
      if (!index || index.columns.length === 0) {
        hits.push({
          message: `PRIMARY KEY USING INDEX ${constraint.indexname} on ${alter.name}: if a key column is not already NOT NULL, the table is scanned under an ACCESS EXCLUSIVE lock (ddlgate does not know the index's columns)`,
          severity: 'warning',
        });
        continue;
      }
      const unproven = index.columns.filter((column) => !provenNotNull(column));
      if (unproven.length === 0) continue;
      const knownNullable = table?.columnsKnown ? unproven.filter((column) => table.columns.has(column)) : [];
      if (knownNullable.length === 0) {
        hits.push({
          message: `PRIMARY KEY USING INDEX ${refText(index.ref)} on ${alter.name}: if ${unproven.join(', ')} ${unproven.length > 1 ? 'are' : 'is'} not already NOT NULL, the table is scanned under an ACCESS EXCLUSIVE lock (ddlgate does not know the column's nullability)`,
          severity: 'warning',
        });
        continue;
      }
      hits.push({ message: `PRIMARY KEY USING INDEX ${refText(index.ref)} on ${alter.name}: ${knownNullable.join(', ')} ${knownNullable.length > 1 ? 'are' : 'is'} nullable, so the whole table is scanned under an ACCESS EXCLUSIVE lock to set NOT NULL` });
    }
    return hits;
  },
};
