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
  if (node.ReindexStmt && hasOption(node.ReindexStmt.params, 'concurrently')) return 'REINDEX CONCURRENTLY';
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

function hasOption(params: any[] | undefined, name: string): boolean {
  return (params ?? []).some((param) => param.DefElem?.defname === name);
}
