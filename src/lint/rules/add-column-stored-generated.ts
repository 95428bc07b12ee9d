import { columnConstraints } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'add-column-stored-generated',
  severity: 'error',
  category: 'column',
  summary: 'Stored generated column (`GENERATED ALWAYS AS (…) STORED`) added to an existing table.',
  why: 'The value must be computed and written for every existing row: PostgreSQL rewrites the whole table while holding an ACCESS EXCLUSIVE lock.',
  safe: 'Add a plain nullable column, keep it up to date with a trigger (or the application), backfill existing rows in batches; on PostgreSQL 18+ a VIRTUAL generated column is instant.',
  bad: 'ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;',
  good: 'ALTER TABLE users ADD COLUMN email_lower text;\n-- trigger to maintain it, then backfill in batches',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const column of addedColumns(alter.cmds)) {
      const generated = columnConstraints(column).find((c) => c.contype === 'CONSTR_GENERATED');
      if (!generated || generated.generated_kind === 'v') continue;
      hits.push({
        message: `stored generated column ${column.colname} added to existing table ${alter.name}: computing it for every row rewrites the table under an ACCESS EXCLUSIVE lock`,
        ...(state.pgVersion >= 18 ? { hint: 'On PostgreSQL 18 drop STORED to get a VIRTUAL generated column (computed on read, added instantly), or add a plain column maintained by a trigger and backfill in batches.' } : {}),
      });
    }
    return hits;
  },
};
