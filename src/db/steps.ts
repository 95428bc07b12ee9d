import { InputError } from '../errors.js';
import type { MigrationScript } from '../migrations/types.js';
import type { SqlStatement } from '../sql/statements.js';
import { nonTransactionalReason, transactionControl } from '../sql/transaction-rules.js';

/**
 * How a statement-by-statement migration runs, decided before anything runs (pure).
 *
 * Exactly once by construction: every statement that can run in a transaction runs in one of its own
 * together with its progress row (statements_done), so both commit or neither does, whatever happens
 * to the process or the network. A `BEGIN … COMMIT` block written in the file is one such step. Only
 * statements PostgreSQL refuses inside a transaction block run bare; whether such a statement completed
 * before an interruption is established from the catalog on resume (`completion`), never by running it
 * again blindly.
 */
export type Step =
  | { kind: 'transaction'; /** index of the first statement of the step (BEGIN included) */ from: number; /** index after the step */ to: number; statements: SqlStatement[] }
  | { kind: 'bare'; from: number; to: number; statement: SqlStatement; reason: string; completion: Completion };

/** How a resume learns whether a bare statement completed before the run was interrupted. */
export type Completion =
  | { kind: 'index-built'; index: IndexTarget }
  | { kind: 'index-dropped'; names: QualifiedName[] }
  | { kind: 'enum-value'; type: QualifiedName; label: string }
  | { kind: 'database'; name: string; exists: boolean }
  | { kind: 'tablespace'; name: string; exists: boolean }
  | { kind: 'partition-detached'; parent: QualifiedName; partition: QualifiedName }
  /** Running it again has the same effect (VACUUM, ANALYZE, REINDEX, ALTER SYSTEM, CLUSTER). */
  | { kind: 'repeatable' }
  /** Nothing to look at: the resume stops and says what to check. */
  | { kind: 'unknown'; check: string };

export interface QualifiedName {
  schema: string | null;
  name: string;
}

export interface IndexTarget {
  schema: string | null;
  name: string;
  /** The indexed table as written in the statement (quoted; resolved through search_path when unqualified). */
  table: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qualified = (n: QualifiedName) => (n.schema ? `${quote(n.schema)}.${quote(n.name)}` : quote(n.name));
const rangeVar = (rv: any): QualifiedName => ({ schema: rv?.schemaname ?? null, name: rv?.relname ?? '' });

/** Statements that must run outside a transaction block on this server. */
export function bareReason(statement: SqlStatement, serverVersionNum: number): string | undefined {
  const reason = nonTransactionalReason(statement);
  if (reason) return reason;
  // ALTER TYPE … ADD VALUE cannot run in a transaction block before PostgreSQL 12.
  if (statement.node.AlterEnumStmt?.newVal && !statement.node.AlterEnumStmt.oldVal && serverVersionNum < 120000) return 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)';
  if (statement.node.ClusterStmt && !statement.node.ClusterStmt.relation) return 'CLUSTER without a table';
  if (statement.node.ReindexStmt && ['REINDEX_OBJECT_SYSTEM', 'REINDEX_OBJECT_DATABASE'].includes(statement.node.ReindexStmt.kind)) return 'REINDEX SYSTEM/DATABASE';
  const sub = Object.keys(statement.node)[0] ?? '';
  if (['CreateSubscriptionStmt', 'DropSubscriptionStmt', 'AlterSubscriptionStmt'].includes(sub)) return sub.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  return undefined;
}

export function completionOf(statement: SqlStatement): Completion {
  const node = statement.node;
  if (node.IndexStmt?.concurrent) {
    const i = node.IndexStmt;
    if (!i.idxname) return { kind: 'unknown', check: 'whether the unnamed index it builds exists and is valid (name the index in the file so ddlgate can check it)' };
    const schema: string | null = i.relation?.schemaname ?? null;
    return { kind: 'index-built', index: { schema, name: i.idxname, table: qualified(rangeVar(i.relation)) } };
  }
  if (node.DropStmt?.concurrent) {
    const names = (node.DropStmt.objects ?? []).map((o: any) => {
      const parts = (o.List?.items ?? []).map((p: any) => p.String?.sval ?? '');
      return parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { schema: null, name: parts[0] ?? '' };
    });
    return { kind: 'index-dropped', names };
  }
  if (node.AlterEnumStmt?.newVal) {
    const parts = (node.AlterEnumStmt.typeName ?? []).map((p: any) => p.String?.sval ?? '');
    return { kind: 'enum-value', type: parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { schema: null, name: parts[0] }, label: node.AlterEnumStmt.newVal };
  }
  if (node.CreatedbStmt) return { kind: 'database', name: node.CreatedbStmt.dbname, exists: true };
  if (node.DropdbStmt) return { kind: 'database', name: node.DropdbStmt.dbname, exists: false };
  if (node.CreateTableSpaceStmt) return { kind: 'tablespace', name: node.CreateTableSpaceStmt.tablespacename, exists: true };
  if (node.DropTableSpaceStmt) return { kind: 'tablespace', name: node.DropTableSpaceStmt.tablespacename, exists: false };
  const detach = node.AlterTableStmt?.cmds?.find((cmd: any) => cmd.AlterTableCmd?.def?.PartitionCmd?.concurrent);
  if (detach) return { kind: 'partition-detached', parent: rangeVar(node.AlterTableStmt.relation), partition: rangeVar(detach.AlterTableCmd.def.PartitionCmd.name) };
  if (node.VacuumStmt || node.ReindexStmt || node.AlterSystemStmt || node.ClusterStmt) return { kind: 'repeatable' };
  return { kind: 'unknown', check: 'whether it took effect' };
}

/** Splits a script into steps; `BEGIN … COMMIT` written in the file make one transaction step. */
export function planSteps(script: Pick<MigrationScript, 'path' | 'statements'>, serverVersionNum: number): Step[] {
  const steps: Step[] = [];
  const statements = script.statements;
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    const control = transactionControl(statement);
    if (control === 'begin') {
      let end = i + 1;
      while (end < statements.length && !['commit', 'rollback'].includes(transactionControl(statements[end]!) ?? '')) end++;
      const closing = statements[end];
      if (!closing) throw new InputError(`${script.path}:${statement.line}: BEGIN without COMMIT`);
      if (transactionControl(closing) === 'rollback') throw new InputError(`${script.path}:${closing.line}: ROLLBACK of a block in a statement-by-statement migration would discard it; remove the block or end it with COMMIT`);
      const inner = statements.slice(i + 1, end);
      const bare = inner.find((s) => bareReason(s, serverVersionNum));
      if (bare) throw new InputError(`${script.path}:${bare.line}: ${bareReason(bare, serverVersionNum)} cannot run inside BEGIN … COMMIT`);
      steps.push({ kind: 'transaction', from: i, to: end + 1, statements: inner });
      i = end;
      continue;
    }
    if (control === 'commit' || control === 'rollback') throw new InputError(`${script.path}:${statement.line}: ${control.toUpperCase()} without BEGIN`);
    const reason = bareReason(statement, serverVersionNum);
    steps.push(reason ? { kind: 'bare', from: i, to: i + 1, statement, reason, completion: completionOf(statement) } : { kind: 'transaction', from: i, to: i + 1, statements: [statement] });
  }
  return steps;
}

/** The statements that must run again, in order, to give a resumed statement the session it had. */
export type SessionReplay = { ok: true; statements: SqlStatement[] } | { ok: false; reason: string };

/**
 * What earlier statements of the migration left in the session (SET, SET ROLE, search_path, set_config …)
 * died with the interrupted session. Plain SET/RESET and SELECTs of set_config() calls are replayed;
 * anything else that leaves session state (a temporary table, set_config inside a larger query or a DO
 * block) cannot be rebuilt faithfully, and the resume is refused with the reason.
 */
export function sessionReplay(script: Pick<MigrationScript, 'path' | 'statements'>, before: number): SessionReplay {
  const replay: SqlStatement[] = [];
  for (const statement of script.statements.slice(0, before)) {
    const node = statement.node;
    const where = `${script.path}:${statement.line}`;
    if (node.VariableSetStmt) {
      // SET LOCAL and SET TRANSACTION end with their transaction.
      if (node.VariableSetStmt.is_local || node.VariableSetStmt.kind === 'VAR_SET_MULTI') continue;
      replay.push(statement);
      continue;
    }
    if (node.DiscardStmt) {
      replay.push(statement);
      continue;
    }
    if (node.SelectStmt && isSetConfigOnly(node.SelectStmt)) {
      replay.push(statement);
      continue;
    }
    const persistence = node.CreateStmt?.relation?.relpersistence ?? node.CreateTableAsStmt?.into?.rel?.relpersistence ?? node.ViewStmt?.view?.relpersistence ?? node.CreateSeqStmt?.sequence?.relpersistence;
    if (persistence === 't') return { ok: false, reason: `${where} created a temporary object, which ended with the interrupted session` };
    if (/set_config|\bset\s+(session\s+|local\s+)?(role|search_path|session\s+authorization)\b/i.test(statement.sql)) {
      return { ok: false, reason: `${where} changes session settings inside a larger statement (${Object.keys(node)[0]}), which ddlgate cannot replay` };
    }
  }
  return { ok: true, statements: replay };
}

/** `SELECT set_config('a', 'b', false)[, …]` with nothing else: no FROM, no WHERE, only set_config calls of constants. */
function isSetConfigOnly(select: any): boolean {
  if (select.fromClause || select.whereClause || select.withClause || !select.targetList?.length) return false;
  return select.targetList.every((target: any) => {
    const call = target.ResTarget?.val?.FuncCall;
    const name = (call?.funcname ?? []).map((p: any) => p.String?.sval).join('.');
    return (name === 'set_config' || name === 'pg_catalog.set_config') && (call.args ?? []).every((arg: any) => arg.A_Const || arg.TypeCast?.arg?.A_Const);
  });
}
