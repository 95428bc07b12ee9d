/**
 * `lint --fix`: the mechanical rewrites, planned from the findings of one migration file.
 *   CREATE [UNIQUE] INDEX        → CREATE [UNIQUE] INDEX CONCURRENTLY (+ `-- ddlgate:no-transaction`)
 *   DROP INDEX (one index)       → DROP INDEX CONCURRENTLY (+ the directive)
 *   REINDEX INDEX|TABLE x        → REINDEX INDEX|TABLE CONCURRENTLY x (PostgreSQL 12+, + the directive)
 *   ADD CONSTRAINT … FOREIGN KEY / CHECK (named, alone in its ALTER) → … NOT VALID, and a new migration
 *   right after this one that runs VALIDATE CONSTRAINT.
 * Pure: text and findings in, the new text and new files out. Each rewrite is checked by parsing the result;
 * a file wrapped in BEGIN … COMMIT is not given CONCURRENTLY (it cannot run there).
 */
import { parseRaw } from '../sql/parser.js';
import { parseSqlStatements, type SqlStatement } from '../sql/statements.js';
import { transactionControl } from '../sql/transaction-rules.js';
import { alterCommands, rangeVarRef, refText } from './ast.js';
import type { Finding } from './types.js';

export interface FixChange {
  line: number;
  rule: string;
  description: string;
}

export interface FixPlan {
  text: string;
  changes: FixChange[];
  /** Follow-up migrations to create (name relative to the migration's directory → text). */
  newFiles: Array<{ name: string; text: string }>;
}

const DIRECTIVE = '-- ddlgate:no-transaction';

export function planFixes(text: string, findings: Finding[], options: { pgVersion: number; nextMigrationName?: (suffix: string) => string | undefined }): FixPlan {
  let parsed;
  try {
    parsed = parseSqlStatements(text);
  } catch {
    return { text, changes: [], newFiles: [] };
  }
  const statements = parsed.statements;
  const wrapped = statements.length >= 2 && transactionControl(statements[0]!) === 'begin' && transactionControl(statements[statements.length - 1]!) === 'commit';
  const byLine = new Map<number, Finding[]>();
  for (const finding of findings) byLine.set(finding.line, [...(byLine.get(finding.line) ?? []), finding]);
  const edits: Array<{ start: number; end: number; sql: string }> = [];
  const changes: FixChange[] = [];
  const validations: string[] = [];
  let needsDirective = false;
  const bytes = Buffer.from(text, 'utf8');
  for (const statement of statements) {
    const rules = new Set((byLine.get(statement.line) ?? []).map((finding) => finding.rule));
    if (rules.size === 0) continue;
    const rewrite = rewriteStatement(statement, rules, { pgVersion: options.pgVersion, wrapped });
    if (!rewrite) continue;
    try {
      parseRaw(rewrite.sql);
    } catch {
      continue; // never write SQL that does not parse
    }
    const start = bytes.subarray(0, statement.startByte).toString('utf8').length;
    const end = bytes.subarray(0, statement.endByte).toString('utf8').length;
    edits.push({ start, end, sql: rewrite.sql });
    changes.push({ line: statement.line, rule: rewrite.rule, description: rewrite.description });
    needsDirective ||= rewrite.concurrent;
    if (rewrite.validate) validations.push(rewrite.validate);
  }
  let fixed = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, edit.start) + edit.sql + fixed.slice(edit.end);
  const hasDirective = parsed.headerComments.some((comment) => /^--\s*ddlgate:no-transaction\s*$/i.test(comment.text.trim()));
  if (needsDirective && !hasDirective) {
    fixed = `${DIRECTIVE}\n${fixed}`;
    changes.push({ line: 1, rule: 'no-transaction', description: `added ${DIRECTIVE} (CONCURRENTLY cannot run in a transaction)` });
  }
  const newFiles: FixPlan['newFiles'] = [];
  if (validations.length > 0) {
    const name = options.nextMigrationName?.('validate_constraints');
    if (name) newFiles.push({ name, text: `${validations.join('\n')}\n` });
    else {
      // Without a place for the follow-up migration, leave NOT VALID out: an unvalidated constraint would stay so.
      return planFixes(text, findings.filter((finding) => finding.rule !== 'foreign-key-without-not-valid' && finding.rule !== 'check-without-not-valid'), { pgVersion: options.pgVersion });
    }
  }
  return { text: fixed, changes, newFiles };
}

interface Rewrite {
  sql: string;
  rule: string;
  description: string;
  concurrent: boolean;
  validate?: string;
}

function rewriteStatement(statement: SqlStatement, rules: Set<string>, context: { pgVersion: number; wrapped: boolean }): Rewrite | undefined {
  const node = statement.node;
  const sql = statement.sql;
  if (rules.has('create-index-not-concurrently') && node.IndexStmt && !context.wrapped) {
    const next = sql.replace(/^(CREATE\s+(?:UNIQUE\s+)?INDEX)(\s+)/i, '$1 CONCURRENTLY$2');
    if (next !== sql) return { sql: next, rule: 'create-index-not-concurrently', description: 'CREATE INDEX → CREATE INDEX CONCURRENTLY', concurrent: true };
  }
  if (rules.has('drop-index-not-concurrently') && node.DropStmt && !context.wrapped && (node.DropStmt.objects ?? []).length === 1 && node.DropStmt.behavior !== 'DROP_CASCADE') {
    const next = sql.replace(/^(DROP\s+INDEX)(\s+)/i, '$1 CONCURRENTLY$2');
    if (next !== sql) return { sql: next, rule: 'drop-index-not-concurrently', description: 'DROP INDEX → DROP INDEX CONCURRENTLY', concurrent: true };
  }
  if (rules.has('reindex-not-concurrently') && node.ReindexStmt && !context.wrapped && context.pgVersion >= 12 && !(node.ReindexStmt.params ?? []).length) {
    const next = sql.replace(/^(REINDEX\s+(?:INDEX|TABLE))(\s+)/i, '$1 CONCURRENTLY$2');
    if (next !== sql) return { sql: next, rule: 'reindex-not-concurrently', description: 'REINDEX → REINDEX CONCURRENTLY', concurrent: true };
  }
  const notValidRule = rules.has('foreign-key-without-not-valid') ? 'foreign-key-without-not-valid' : rules.has('check-without-not-valid') ? 'check-without-not-valid' : undefined;
  if (notValidRule && node.AlterTableStmt) {
    const cmds = alterCommands(node.AlterTableStmt);
    const constraint = cmds.length === 1 && cmds[0]!.subtype === 'AT_AddConstraint' ? cmds[0]!.def?.Constraint : undefined;
    if (constraint?.conname && !constraint.skip_validation && ['CONSTR_FOREIGN', 'CONSTR_CHECK'].includes(constraint.contype)) {
      const table = refText(rangeVarRef(node.AlterTableStmt.relation));
      return {
        sql: `${sql} NOT VALID`,
        rule: notValidRule,
        description: `ADD CONSTRAINT ${constraint.conname} … NOT VALID; VALIDATE CONSTRAINT in a new migration`,
        concurrent: false,
        validate: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${constraint.conname};`,
      };
    }
  }
  return undefined;
}

/** A unified-style diff of the lines that changed (for `--fix --dry`). */
export function diffLines(path: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  if (start > endA && start > endB) return '';
  const out = [`--- ${path}`, `+++ ${path}`, `@@ -${start + 1},${endA - start + 1} +${start + 1},${endB - start + 1} @@`];
  for (let i = start; i <= endA; i++) out.push(`-${a[i]}`);
  for (let i = start; i <= endB; i++) out.push(`+${b[i]}`);
  return out.join('\n');
}
