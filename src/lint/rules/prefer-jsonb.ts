import { typeBaseName, type Node } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';

export const rule: Rule = {
  id: 'prefer-jsonb',
  severity: 'info',
  category: 'column',
  summary: 'Column of type `json` instead of `jsonb`.',
  why: 'json stores the raw text: it is re-parsed on every access, has no equality operator (so DISTINCT, GROUP BY, UNIQUE and many ORMs fail on it) and cannot be indexed with GIN. Changing the type later rewrites the table.',
  safe: 'Use jsonb (unless the exact input text, key order or duplicate keys must be preserved).',
  bad: 'ALTER TABLE events ADD COLUMN payload json;',
  good: 'ALTER TABLE events ADD COLUMN payload jsonb;',
  kinds: ['CreateStmt', 'CreateForeignTableStmt', 'CompositeTypeStmt', 'AlterTableStmt'],
  check(statement) {
    const node = statement.node;
    // Judged in statement order, without collecting the columns first (asked for every CREATE and ALTER TABLE).
    const hits: RuleHit[] = [];
    const judge = (name: string, def: Node) => {
      if (typeBaseName(def.typeName) === 'json') hits.push({ message: `column ${name} is json; jsonb is almost always what you want` });
    };
    const elements = node.CreateStmt?.tableElts ?? node.CreateForeignTableStmt?.base?.tableElts ?? node.CompositeTypeStmt?.coldeflist;
    if (elements) for (const element of elements as Node[]) if (element.ColumnDef) judge(element.ColumnDef.colname, element.ColumnDef);
    if (node.AlterTableStmt) {
      for (const item of (node.AlterTableStmt.cmds ?? []) as Node[]) {
        const cmd = item.AlterTableCmd;
        if (!cmd?.def?.ColumnDef) continue;
        if (cmd.subtype === 'AT_AddColumn') judge(cmd.def.ColumnDef.colname, cmd.def.ColumnDef);
        else if (cmd.subtype === 'AT_AlterColumnType') judge(cmd.name, cmd.def.ColumnDef);
      }
    }
    return hits;
  },
};
