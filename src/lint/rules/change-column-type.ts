import { typeBaseName, typeNameText } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

/** Target types for which the change is often binary-coercible (no rewrite) — depending on the current type. */
const MAYBE_NO_REWRITE = new Set(['text', 'varchar', 'numeric', 'citext', 'varbit', 'bpchar']);

export const rule: Rule = {
  id: 'change-column-type',
  severity: 'error',
  category: 'column',
  summary: '`ALTER COLUMN … TYPE` on an existing table.',
  why: 'Changing a column\'s type rewrites the whole table and rebuilds every index on it while holding an ACCESS EXCLUSIVE lock: no read or write proceeds until it ends. It also breaks application code that reads or writes the old type.',
  safe: 'Add a new column with the new type, write to both (trigger or application), backfill in batches, switch reads, then drop the old column in a later release. Only binary-coercible changes (varchar(n) → text, varchar(n) → varchar(m>n), numeric(p,s) → numeric(p2>p,s)) skip the rewrite.',
  bad: 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);',
  good: 'ALTER TABLE orders ADD COLUMN total_v2 numeric(12,2);\n-- dual-write, backfill in batches, switch reads, then drop total',
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AlterColumnType') continue;
      const def = cmd.def?.ColumnDef;
      const target = typeNameText(def?.typeName);
      const base = typeBaseName(def?.typeName);
      if (MAYBE_NO_REWRITE.has(base) && !def?.raw_default) {
        hits.push({
          message: `type of ${alter.name}.${cmd.name} changed to ${target}: instant only if the change is binary-coercible (e.g. varchar(n) → text or to a longer varchar); any other change rewrites the table and its indexes under an ACCESS EXCLUSIVE lock`,
          severity: 'warning',
          hint: 'Check the current type: varchar → text, or increasing a length/precision limit, needs no rewrite (suppress with -- ddlgate-ignore change-column-type: <reason>); otherwise add a new column, backfill in batches and switch over.',
        });
      } else {
        hits.push({ message: `type of ${alter.name}.${cmd.name} changed to ${target}: the table and all its indexes are rewritten under an ACCESS EXCLUSIVE lock` });
      }
    }
    return hits;
  },
};
