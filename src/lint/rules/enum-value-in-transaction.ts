import { nameListRef, refText, visit } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';

export const rule: Rule = {
  id: 'enum-value-in-transaction',
  severity: 'error',
  category: 'transaction',
  summary: '`ALTER TYPE … ADD VALUE` in a transaction before PostgreSQL 12, or the new value used in the same transaction.',
  why: 'Before PostgreSQL 12, ADD VALUE cannot run inside a transaction block at all; since 12 it can, but the new value cannot be used until the transaction commits ("unsafe use of new value"): the migration fails.',
  safe: 'Put ALTER TYPE … ADD VALUE in its own migration (before PostgreSQL 12 with -- ddlgate:no-transaction), and use the value in a later one.',
  bad: "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
  good: "-- migration 1:\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';\n-- migration 2:\nUPDATE orders SET status = 'refunded' WHERE id IN (…);",
  check(statement, state) {
    if (!statement.inTransaction) return [];
    const alter = statement.node.AlterEnumStmt;
    if (alter?.newVal && !alter.oldVal) {
      const type = nameListRef(alter.typeName);
      if (state.pgVersion < 12 && !state.isNewType(type)) {
        return [{ message: `ALTER TYPE ${refText(type)} ADD VALUE cannot run inside a transaction block on PostgreSQL ${state.pgVersion}` }];
      }
      return [];
    }
    const added = state.enumValuesAddedInTransaction(statement.transactionId);
    if (added.size === 0) return [];
    const hits: RuleHit[] = [];
    const seen = new Set<string>();
    visit(statement.node, (value) => {
      const text = value.A_Const?.sval?.sval;
      if (typeof text === 'string' && added.has(text) && !seen.has(text)) {
        seen.add(text);
        hits.push({ message: `enum value '${text}' added at line ${added.get(text)} is used before its transaction commits: PostgreSQL rejects it ("unsafe use of new value")` });
      }
    });
    return hits;
  },
};
