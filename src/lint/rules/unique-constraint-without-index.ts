import { columnConstraints } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, addedConstraints, alterExistingTable, keysText } from './helpers.js';

export const rule: Rule = {
  id: 'unique-constraint-without-index',
  severity: 'error',
  category: 'constraint',
  summary: '`UNIQUE` or `PRIMARY KEY` constraint added to an existing table without `USING INDEX`.',
  why: 'The constraint builds its unique index while holding an ACCESS EXCLUSIVE lock: every read and write on the table waits for the whole build. A PRIMARY KEY also sets NOT NULL on its columns, which scans the table under the same lock.',
  safe: 'CREATE UNIQUE INDEX CONCURRENTLY first (its own migration, no transaction), then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX (or PRIMARY KEY USING INDEX, after making the columns NOT NULL through a validated CHECK), which is instant.',
  bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
  good: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n-- next migration:\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const constraint of addedConstraints(alter.cmds)) {
      if ((constraint.contype !== 'CONSTR_UNIQUE' && constraint.contype !== 'CONSTR_PRIMARY') || constraint.indexname) continue;
      const kind = constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      const columns = keysText(constraint.keys);
      const name = constraint.conname ?? `${alter.table.name}_${(constraint.keys ?? []).map((k: any) => k.String?.sval).join('_')}_${kind === 'UNIQUE' ? 'key' : 'pkey'}`;
      hits.push({
        message: `${kind} (${columns}) added to existing table ${alter.name}: its index is built under an ACCESS EXCLUSIVE lock that blocks reads and writes`,
        hint: `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${alter.name} (${columns}); then, in a later migration: ALTER TABLE ${alter.name} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name};${kind === 'PRIMARY KEY' ? ' (make the columns NOT NULL first through a validated CHECK … IS NOT NULL)' : ''}`,
      });
    }
    for (const column of addedColumns(alter.cmds)) {
      const constraint = columnConstraints(column).find((c) => c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY');
      if (!constraint) continue;
      const kind = constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      hits.push({ message: `column ${column.colname} added to existing table ${alter.name} as ${kind}: its unique index is built under an ACCESS EXCLUSIVE lock` });
    }
    return hits;
  },
};
