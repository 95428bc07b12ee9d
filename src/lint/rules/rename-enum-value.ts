import { nameListRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'rename-enum-value',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`ALTER TYPE … RENAME VALUE` of an existing enum.',
  why: 'Code that writes or compares the old label fails ("invalid input value for enum") as soon as the migration commits, while the old application version is still running.',
  safe: 'Add the new value, migrate rows and code to it, and stop using the old one (enum values cannot be dropped: keep it, or mark the rename as breaking with ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking).',
  bad: "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';",
  good: "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled';",
  kinds: ['AlterEnumStmt'],
  check(statement, state) {
    const alter = statement.node.AlterEnumStmt;
    if (!alter?.oldVal) return [];
    const type = nameListRef(alter.typeName);
    if (state.isNewType(type)) return [];
    return [{ message: `enum value '${alter.oldVal}' of ${refText(type)} renamed to '${alter.newVal}': code using the old label fails` }];
  },
};
