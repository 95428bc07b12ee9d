import { booleanOption } from './options.js';
import type { SqlStatement } from './statements.js';

/**
 * Why a statement cannot run inside a transaction block, or undefined when it can.
 * PostgreSQL rejects these with "cannot run inside a transaction block", so a file containing
 * one is run statement by statement instead of wrapped in BEGIN/COMMIT.
 */
export function nonTransactionalReason(statement: SqlStatement): string | undefined {
  const node = statement.node;
  if (node.IndexStmt?.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (node.DropStmt?.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (node.ReindexStmt && booleanOption(node.ReindexStmt.params, 'concurrently')) return 'REINDEX CONCURRENTLY';
  if (node.VacuumStmt?.is_vacuumcmd) return 'VACUUM';
  if (node.AlterSystemStmt) return 'ALTER SYSTEM';
  if (node.CreatedbStmt) return 'CREATE DATABASE';
  if (node.DropdbStmt) return 'DROP DATABASE';
  if (node.CreateTableSpaceStmt) return 'CREATE TABLESPACE';
  if (node.DropTableSpaceStmt) return 'DROP TABLESPACE';
  const detach = node.AlterTableStmt?.cmds?.find((cmd: any) => cmd.AlterTableCmd?.def?.PartitionCmd?.concurrent);
  if (detach) return 'DETACH PARTITION CONCURRENTLY';
  return undefined;
}

export type TransactionControl = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'other';

export function transactionControl(statement: SqlStatement): TransactionControl | undefined {
  const kind = statement.node.TransactionStmt?.kind as string | undefined;
  if (!statement.node.TransactionStmt) return undefined;
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
      return 'rollback';
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      return 'savepoint';
    default:
      return 'other';
  }
}

/**
 * True when a file runs its own transactions the way golang-migrate, sql-migrate or psql users write them:
 * BEGIN … COMMIT (or ROLLBACK) blocks, each closed before the next opens, with statements or further
 * blocks outside them (one block wrapping the whole file is the ordinary wrapper, not this). Such a file
 * runs as written, statement by statement, without ddlgate's transaction around it. A COMMIT with no
 * BEGIN before it is not a block: in a transactional file it would end ddlgate's own transaction.
 */
export function managesOwnTransactions(statements: SqlStatement[]): boolean {
  let open = false;
  let blocks = 0;
  let outside = 0;
  for (const statement of statements) {
    const control = transactionControl(statement);
    if (control === 'begin') {
      if (open) return false;
      open = true;
      blocks++;
    } else if (control === 'commit' || control === 'rollback') {
      if (!open) return false;
      open = false;
    } else if (control === 'other') {
      return false;
    } else if (!open) {
      outside++;
    }
  }
  return !open && blocks > 0 && (blocks > 1 || outside > 0);
}
