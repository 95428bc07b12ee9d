/**
 * Which statements take an ACCESS EXCLUSIVE lock on a table that already exists (blocking every read
 * and write on it until the transaction ends), following the lock levels documented for each command.
 */
import { booleanOption } from '../sql/options.js';
import { alterCommands, rangeVarRef, nameListRef, refText, type Node } from './ast.js';
import type { LintStatement, MigrationState, RelationRef } from './types.js';

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE. */
const LIGHTER_ALTER_TABLE = new Set([
  'AT_ValidateConstraint', // SHARE UPDATE EXCLUSIVE
  'AT_SetStatistics', // SHARE UPDATE EXCLUSIVE
  'AT_SetOptions', // SHARE UPDATE EXCLUSIVE (attribute options)
  'AT_ResetOptions',
  'AT_SetRelOptions', // SHARE UPDATE EXCLUSIVE for most storage parameters
  'AT_ResetRelOptions',
  'AT_ClusterOn', // SHARE UPDATE EXCLUSIVE
  'AT_DropCluster',
  'AT_AttachPartition', // SHARE UPDATE EXCLUSIVE on the parent (PostgreSQL 12+)
  'AT_EnableTrig', // SHARE ROW EXCLUSIVE
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);

/** The existing table a statement locks in ACCESS EXCLUSIVE mode, as text, or undefined. */
export function accessExclusiveTarget(statement: LintStatement, state: MigrationState): string | undefined {
  const node = statement.node;
  const existing = (ref: RelationRef | undefined) => (ref && !state.isNewTable(ref) ? refText(ref) : undefined);
  if (node.AlterTableStmt) {
    const stmt = node.AlterTableStmt;
    if (stmt.objtype !== 'OBJECT_TABLE' && stmt.objtype !== 'OBJECT_MATVIEW') return undefined;
    const heavy = alterCommands(stmt).some((cmd) => {
      if (LIGHTER_ALTER_TABLE.has(cmd.subtype)) return false;
      if (cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) return false;
      if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN') return false; // SHARE ROW EXCLUSIVE
      return true;
    });
    return heavy ? existing(rangeVarRef(stmt.relation)) : undefined;
  }
  if (node.DropStmt?.removeType === 'OBJECT_TABLE' || node.DropStmt?.removeType === 'OBJECT_MATVIEW') {
    for (const object of node.DropStmt.objects ?? []) {
      const found = existing(nameListRef(object.List?.items));
      if (found) return found;
    }
    return undefined;
  }
  if (node.DropStmt?.removeType === 'OBJECT_INDEX' && !node.DropStmt.concurrent) {
    for (const object of node.DropStmt.objects ?? []) {
      const ref = nameListRef(object.List?.items);
      if (ref && !state.isNewIndex(ref)) return `the table of index ${refText(ref)}`;
    }
    return undefined;
  }
  if (node.TruncateStmt) {
    for (const relation of node.TruncateStmt.relations ?? []) {
      const found = existing(rangeVarRef(relation.RangeVar));
      if (found) return found;
    }
    return undefined;
  }
  if (node.LockStmt && node.LockStmt.mode === 8) {
    for (const relation of node.LockStmt.relations ?? []) {
      const found = existing(rangeVarRef(relation.RangeVar));
      if (found) return found;
    }
    return undefined;
  }
  if (node.RenameStmt && ['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_MATVIEW'].includes(node.RenameStmt.renameType)) {
    return existing(rangeVarRef(node.RenameStmt.relation));
  }
  if (node.RefreshMatViewStmt && !node.RefreshMatViewStmt.concurrent) return existing(rangeVarRef(node.RefreshMatViewStmt.relation));
  if (node.ClusterStmt?.relation) return existing(rangeVarRef(node.ClusterStmt.relation));
  if (node.VacuumStmt && isVacuumFull(node.VacuumStmt)) {
    for (const relation of node.VacuumStmt.rels ?? []) {
      const found = existing(rangeVarRef(relation.VacuumRelation?.relation));
      if (found) return found;
    }
    return undefined;
  }
  if (node.RuleStmt) return existing(rangeVarRef(node.RuleStmt.relation));
  return undefined;
}

export function isVacuumFull(vacuum: Node): boolean {
  return booleanOption(vacuum.options, 'full');
}
