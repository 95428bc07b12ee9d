/**
 * `lint --fix`: the mechanical rewrites, planned from the findings of one migration file.
 *   CREATE [UNIQUE] INDEX        → CREATE [UNIQUE] INDEX CONCURRENTLY (+ `-- ddlgate:no-transaction`)
 *   DROP INDEX (one index)       → DROP INDEX CONCURRENTLY (+ the directive)
 *   REINDEX INDEX|TABLE x        → REINDEX INDEX|TABLE CONCURRENTLY x (PostgreSQL 12+, + the directive)
 *   REINDEX SCHEMA|DATABASE x    → the same with CONCURRENTLY
 *   ADD CONSTRAINT … FOREIGN KEY / CHECK (named, alone in its ALTER) → … NOT VALID, and a new migration
 *   right after this one that runs VALIDATE CONSTRAINT.
 *   ADD [CONSTRAINT x] UNIQUE (cols) (alone in its ALTER, no options) → CREATE UNIQUE INDEX CONCURRENTLY x
 *   (+ the directive), and the new migration attaches it: ADD CONSTRAINT x UNIQUE USING INDEX x (instant).
 *   ALTER COLUMN c SET NOT NULL (alone in its ALTER, PostgreSQL 12+) → ADD CONSTRAINT … CHECK (c IS NOT NULL)
 *   NOT VALID, and the new migration runs VALIDATE (no write-blocking lock), SET NOT NULL (uses the
 *   validated CHECK: no scan) and DROP CONSTRAINT.
 * Not rewritten, because no rewrite is both mechanical and safe: a volatile DEFAULT on a new column (the
 * split leaves existing rows NULL until a batched backfill only the author can write), PRIMARY KEY (its
 * columns must become NOT NULL first, which depends on the data), and lock_timeout (the runner sets it
 * for every migration; no rule asks a file for it).
 * Pure: text and findings in, the new text and new files out. Each rewrite is checked by parsing the result;
 * a file wrapped in BEGIN … COMMIT is not given CONCURRENTLY (it cannot run there).
 */
import { FLYWAY_PLACEHOLDER } from '../migrations/placeholders.js';
import { parseRaw } from '../sql/parser.js';
import { parseSqlStatements, type SqlStatement } from '../sql/statements.js';
import { transactionControl } from '../sql/transaction-rules.js';
import { alterCommands, ident, rangeVarRef, refText } from './ast.js';
import type { RelationRef } from './types.js';
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

export function planFixes(text: string, findings: Finding[], options: { pgVersion: number; nextMigrationName?: (suffix: string) => string | undefined; flywayPlaceholders?: boolean }): FixPlan {
  if (options.flywayPlaceholders) return withPlaceholdersKept(text, (protectedText) => planFixes(protectedText, findings, { ...options, flywayPlaceholders: false }));
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
  /** Statements of the follow-up migration, in order; `validateOnly` while they are all VALIDATE CONSTRAINT. */
  const followUp: string[] = [];
  let validateOnly = true;
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
    if (rewrite.followUp) {
      followUp.push(...rewrite.followUp);
      validateOnly &&= rewrite.followUp.every((sql) => /\bVALIDATE CONSTRAINT\b/.test(sql));
    }
  }
  let fixed = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, edit.start) + edit.sql + fixed.slice(edit.end);
  const hasDirective = parsed.headerComments.some((comment) => /^--\s*ddlgate:no-transaction\s*$/i.test(comment.text.trim()));
  if (needsDirective && !hasDirective) {
    fixed = `${DIRECTIVE}\n${fixed}`;
    changes.push({ line: 1, rule: 'no-transaction', description: `added ${DIRECTIVE} (CONCURRENTLY cannot run in a transaction)` });
  }
  const newFiles: FixPlan['newFiles'] = [];
  if (followUp.length > 0) {
    const name = options.nextMigrationName?.(validateOnly ? 'validate_constraints' : 'complete_safe_changes');
    // VALIDATE first: its scan must not run under the ACCESS EXCLUSIVE lock the instant steps (USING INDEX,
    // SET NOT NULL, DROP CONSTRAINT) take, which the migration's transaction holds until it commits.
    const ordered = [...followUp.filter((sql) => /\bVALIDATE CONSTRAINT\b/.test(sql)), ...followUp.filter((sql) => !/\bVALIDATE CONSTRAINT\b/.test(sql))];
    if (name) newFiles.push({ name, text: `${ordered.join('\n')}\n` });
    else {
      // Without a place for the follow-up migration, leave out the rewrites that need one: a constraint
      // would stay unvalidated, an index unattached, a column nullable.
      return planFixes(text, findings.filter((finding) => !NEEDS_FOLLOW_UP.has(finding.rule)), { pgVersion: options.pgVersion });
    }
  }
  return { text: fixed, changes, newFiles };
}

/**
 * A Flyway file's `${name}` placeholders stand for SQL the file does not hold (a schema name, an owner): the
 * file is planned with each one as a plain identifier, and the rewritten text gets the placeholders back
 * as written, never the values of this run. Placeholders in places an identifier cannot stand stay unfixed
 * (the statement then does not parse, and planFixes leaves it alone).
 */
function withPlaceholdersKept(text: string, plan: (protectedText: string) => FixPlan): FixPlan {
  const written: string[] = [];
  const protectedText = text.replace(FLYWAY_PLACEHOLDER, (match) => `ddlgate_placeholder_${written.push(match) - 1}_`);
  if (written.length === 0) return plan(text);
  const restore = (sql: string) => sql.replace(/ddlgate_placeholder_(\d+)_/g, (match, index: string) => written[Number(index)] ?? match);
  const result = plan(protectedText);
  return result.changes.length === 0 ? { text, changes: [], newFiles: [] } : { text: restore(result.text), changes: result.changes, newFiles: result.newFiles.map((file) => ({ ...file, text: restore(file.text) })) };
}

interface Rewrite {
  sql: string;
  rule: string;
  description: string;
  concurrent: boolean;
  /** Statements for the migration right after this one. */
  followUp?: string[];
}

const NEEDS_FOLLOW_UP = new Set(['foreign-key-without-not-valid', 'check-without-not-valid', 'unique-constraint-without-index', 'set-not-null']);

/** PostgreSQL's identifier limit: longer names are truncated to 63 bytes. */
function constraintName(...parts: string[]): string {
  let name = parts.join('_');
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
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
    const next = sql.replace(/^(REINDEX\s+(?:INDEX|TABLE|SCHEMA|DATABASE))(\s+)/i, '$1 CONCURRENTLY$2');
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
        followUp: [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${ident(constraint.conname)};`],
      };
    }
  }
  if (node.AlterTableStmt && alterCommands(node.AlterTableStmt).length === 1) {
    const cmd = alterCommands(node.AlterTableStmt)[0]!;
    const ref = rangeVarRef(node.AlterTableStmt.relation);
    const table = refText(ref);
    if (rules.has('unique-constraint-without-index') && !context.wrapped) {
      const unique = uniqueIndexRewrite(cmd, ref, table);
      if (unique) return unique;
    }
    if (rules.has('set-not-null') && cmd.subtype === 'AT_SetNotNull' && cmd.name && context.pgVersion >= 12 && ref) {
      const check = ident(constraintName(ref.name, cmd.name, 'not_null_check'));
      const column = ident(cmd.name);
      return {
        sql: `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID`,
        rule: 'set-not-null',
        description: `SET NOT NULL → CHECK (${cmd.name} IS NOT NULL) NOT VALID; VALIDATE, SET NOT NULL (no scan) and DROP CONSTRAINT in a new migration`,
        concurrent: false,
        followUp: [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`, `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;`, `ALTER TABLE ${table} DROP CONSTRAINT ${check};`],
      };
    }
  }
  return undefined;
}

/** ADD [CONSTRAINT x] UNIQUE (plain columns, no options) → the index built concurrently, attached later. */
function uniqueIndexRewrite(cmd: any, ref: RelationRef | undefined, table: string): Rewrite | undefined {
  const constraint = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
  if (!ref || constraint?.contype !== 'CONSTR_UNIQUE' || constraint.indexname) return undefined;
  // Options an index attached by USING INDEX cannot carry the same way: leave those to the author.
  if (constraint.deferrable || constraint.initdeferred || constraint.nulls_not_distinct || constraint.including?.length || constraint.options?.length || constraint.indexspace) return undefined;
  const columns: string[] = (constraint.keys ?? []).map((key: any) => key.String?.sval);
  if (columns.length === 0 || columns.some((column) => !column)) return undefined;
  const name = ident(constraint.conname ?? constraintName(ref.name, ...columns, 'key'));
  return {
    sql: `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${columns.map(ident).join(', ')})`,
    rule: 'unique-constraint-without-index',
    description: `ADD UNIQUE → CREATE UNIQUE INDEX CONCURRENTLY ${name}; ADD CONSTRAINT … UNIQUE USING INDEX in a new migration`,
    concurrent: true,
    followUp: [`ALTER TABLE ${table} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name};`],
  };
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
