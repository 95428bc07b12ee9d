/** Shared pieces of rule checks. */
import { alterCommands, rangeVarRef, refText, type Node } from '../ast.js';
import type { MigrationState, RelationRef } from '../types.js';

/** An ALTER TABLE on a table that existed before this migration, with its commands. */
export function alterExistingTable(node: Node, state: MigrationState): { table: RelationRef; name: string; cmds: Node[] } | undefined {
  const stmt = node.AlterTableStmt;
  if (!stmt || (stmt.objtype !== 'OBJECT_TABLE' && stmt.objtype !== 'OBJECT_MATVIEW' && stmt.objtype !== 'OBJECT_FOREIGN_TABLE')) return undefined;
  const table = rangeVarRef(stmt.relation);
  if (!table || state.isNewTable(table)) return undefined;
  return { table, name: refText(table), cmds: alterCommands(stmt) };
}

export function addedColumns(cmds: Node[]): Node[] {
  return cmds.filter((cmd) => cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef).map((cmd) => cmd.def.ColumnDef);
}

export function addedConstraints(cmds: Node[]): Node[] {
  return cmds.filter((cmd) => cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint).map((cmd) => cmd.def.Constraint);
}

export function keysText(keys: Node[] | undefined): string {
  return (keys ?? []).map((key) => key.String?.sval).filter(Boolean).join(', ');
}

/** Quotes a name for a message: `name`. */
export function q(name: string | undefined): string {
  return name ? `"${name}"` : '?';
}
