import { alterCommands, typeBaseName, type Node } from '../ast.js';
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
    const columns: Array<{ name: string; def: Node }> = [];
    const elements = node.CreateStmt?.tableElts ?? node.CreateForeignTableStmt?.base?.tableElts ?? node.CompositeTypeStmt?.coldeflist ?? [];
    for (const element of elements) if (element.ColumnDef) columns.push({ name: element.ColumnDef.colname, def: element.ColumnDef });
    if (node.AlterTableStmt) {
      for (const cmd of alterCommands(node.AlterTableStmt)) {
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) columns.push({ name: cmd.def.ColumnDef.colname, def: cmd.def.ColumnDef });
        if (cmd.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef) columns.push({ name: cmd.name, def: cmd.def.ColumnDef });
      }
    }
    const hits: RuleHit[] = [];
    for (const { name, def } of columns) {
      if (typeBaseName(def.typeName) === 'json') hits.push({ message: `column ${name} is json; jsonb is almost always what you want` });
    }
    return hits;
  },
};
