import { rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

/** Statements that do real work (scan, write or build) and so keep the lock held for long. */
const SLOW = new Set([
  'IndexStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'SelectStmt', 'CreateTableAsStmt', 'RefreshMatViewStmt',
  'ReindexStmt', 'ClusterStmt', 'VacuumStmt', 'CopyStmt', 'LockStmt', 'AlterTableStmt',
]);

/** ALTER TABLE commands that scan or rewrite the table. */
function alterScans(cmds: any[]): boolean {
  return cmds.some(({ AlterTableCmd: cmd }) => {
    if (!cmd) return false;
    if (['AT_ValidateConstraint', 'AT_AlterColumnType', 'AT_SetNotNull', 'AT_SetTableSpace'].includes(cmd.subtype)) return true;
    const constraint = cmd.def?.Constraint;
    if (cmd.subtype === 'AT_AddConstraint' && constraint) {
      if (['CONSTR_CHECK', 'CONSTR_FOREIGN', 'CONSTR_NOTNULL'].includes(constraint.contype)) return !constraint.skip_validation;
      return !constraint.indexname;
    }
    return false;
  });
}

export const rule: Rule = {
  id: 'statements-after-access-exclusive',
  severity: 'warning',
  category: 'lock',
  summary: 'Slow work (backfill, index build, validation, table scan) in the same transaction after a statement took an ACCESS EXCLUSIVE lock on an existing table.',
  why: 'The ACCESS EXCLUSIVE lock is held until the transaction commits, so everything that runs after it (a backfill, an index build, waiting for a lock on another busy table) extends the time during which every read and write on the locked table waits.',
  safe: 'Put the statement that takes the ACCESS EXCLUSIVE lock last in the migration, or in its own migration, so the lock is held for milliseconds.',
  bad: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;",
  good: "-- migration 1:\nALTER TABLE users ADD COLUMN plan text;\n-- migration 2 (batched):\nUPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 10000);",
  kinds: [...SLOW],
  check(statement, state) {
    if (!statement.inTransaction) return [];
    const held = state.accessExclusiveHeld(statement.transactionId);
    if (!held || held.reported || !SLOW.has(statement.kind)) return [];
    const node = statement.node;
    if (node.SelectStmt && !node.SelectStmt.fromClause && !node.SelectStmt.intoClause) return [];
    if (node.AlterTableStmt && !alterScans(node.AlterTableStmt.cmds ?? [])) return [];
    if (node.IndexStmt?.concurrent) return [];
    // INSERT … VALUES of a few rows is quick; INSERT … SELECT … FROM is a copy.
    if (node.InsertStmt && !node.InsertStmt.selectStmt?.SelectStmt?.fromClause) return [];
    const body = node[statement.kind] ?? {};
    const target = rangeVarRef(body.relation);
    if (target && state.isNewTable(target)) return [];
    // A scanning ALTER TABLE on the locked table itself is reported by its own rule (set-not-null, …).
    if (target && node.AlterTableStmt && refText(target) === held.table) return [];
    held.reported = true;
    return [{ message: `${excerpt(statement.sql)} runs while the ACCESS EXCLUSIVE lock taken on ${held.table} at line ${held.line} is still held: every query on ${held.table} waits until the migration commits` }];
  },
};

/** The start of a statement, on one line, for a message. */
function excerpt(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}
