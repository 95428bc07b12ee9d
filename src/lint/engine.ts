/**
 * The lint engine: parses one migration with the real PostgreSQL parser, follows what the migration
 * does statement by statement (tables it creates, constraints it validates, locks it holds, its
 * transaction), looks inside DO blocks and the bodies of functions it calls, runs every rule and
 * applies `-- ddlgate-ignore` suppressions. Problems in the file are findings, never exceptions.
 */
import { parsePlpgsqlRaw, parseRaw } from '../sql/parser.js';
import { parseSqlStatements, SqlSyntaxError, type SqlComment, type SqlStatement } from '../sql/statements.js';
import { managesOwnTransactions, nonTransactionalReason, transactionControl } from '../sql/transaction-rules.js';
import { directivesIn } from '../migrations/script.js';
import { alterCommands, defElems, functionCallsIn, funcName, nameListRef, rangeVarRef, sameRelation, stringValue, visit, type Node } from './ast.js';
import { accessExclusiveTarget } from './locks.js';
import { RULES, RULES_BY_ID } from './rules/index.js';
import { SchemaModel } from './schema.js';
import type { Finding, LintStatement, MigrationState, RelationRef, Rule, RuleHit, Severity } from './types.js';

export interface LintOptions {
  /** Target PostgreSQL major version (ddlgate.json `pgVersion`, default 15). */
  pgVersion: number;
  /** Per-rule setting from ddlgate.json; rules not listed keep their default severity. */
  rules: Record<string, Severity | 'off'>;
  /** Breaking changes are allowed (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking): reported as warnings. */
  allowBreaking: boolean;
}

export const DEFAULT_LINT_OPTIONS: LintOptions = { pgVersion: 15, rules: {}, allowBreaking: false };

export interface LintSourceOptions extends Partial<LintOptions> {
  /** A down migration: breaking rules are not applied (undoing the up migration is its purpose). */
  down?: boolean;
  /** The layout's own "no transaction" option (same effect as `-- ddlgate:no-transaction`). */
  noTransaction?: boolean;
  /**
   * What exists before this migration (earlier migrations, or the real catalog). Not modified: the
   * linter works on a copy. Without one, the file is judged alone (every table it does not create exists).
   */
  schema?: SchemaModel;
  /** The caller hands the schema over: it is updated in place instead of copied (saves a copy per migration). */
  schemaOwned?: boolean;
}

export interface LintSourceResult {
  findings: Finding[];
  /** The schema after this migration (everything it created marked new). */
  schema: SchemaModel;
}

export const ALLOWED_NOTE = 'allowed by ALLOW_BREAKING_MIGRATIONS';

const MAX_NESTING = 4;

interface Unit extends LintStatement {
  /** Top-level statements whose `-- ddlgate-ignore` comments apply to this unit. */
  suppressors: SqlStatement[];
  depth: number;
}

interface IgnoreEntry {
  rule: string;
  line: number;
  used: boolean;
}

interface Frame {
  text: string;
  line: number;
  column: number;
}

interface FunctionBody {
  statement: Unit;
  top: SqlStatement;
  node: Node;
  expanded: boolean;
}

/** Lints the text of one migration file. */
export function lintSource(text: string, options: LintSourceOptions = {}): Finding[] {
  return lintSourceWithSchema(text, options).findings;
}

/** Lints one migration against a schema model and returns the model as the migration leaves it. */
export function lintSourceWithSchema(text: string, options: LintSourceOptions = {}): LintSourceResult {
  const resolved: LintOptions = {
    pgVersion: options.pgVersion ?? DEFAULT_LINT_OPTIONS.pgVersion,
    rules: options.rules ?? {},
    allowBreaking: options.allowBreaking ?? false,
  };
  const schema = options.schema ? (options.schemaOwned ? options.schema : options.schema.clone()) : new SchemaModel();
  const linter = new FileLinter(resolved, options.down ?? false, options.noTransaction ?? false, schema);
  const findings = linter.run(text);
  return { findings, schema };
}

class FileLinter implements MigrationState {
  readonly pgVersion: number;
  transactional = true;
  private readonly findings: Finding[] = [];
  private readonly rules: RuleDispatch;
  private readonly notValid: Array<{ table: RelationRef; name: string; transactionId: number; line: number }> = [];
  private readonly accessExclusive = new Map<number, { table: string; line: number; reported: boolean }>();
  private readonly enumValues = new Map<number, Map<string, number>>();
  private readonly functions = new Map<string, FunctionBody>();
  private readonly ignores = new Map<SqlStatement, IgnoreEntry[]>();

  constructor(
    private readonly options: LintOptions,
    readonly down: boolean,
    private readonly noTransaction: boolean,
    readonly schema: SchemaModel,
  ) {
    this.pgVersion = options.pgVersion;
    this.rules = dispatchFor(options, down);
  }

  run(text: string): Finding[] {
    let statements: SqlStatement[];
    let headerComments: SqlComment[];
    try {
      ({ statements, headerComments } = parseSqlStatements(text));
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      this.emitFileFinding('syntax', error.line, error.column, error.line, `syntax error: ${error.reason}`);
      return this.sorted();
    }
    if (statements.length === 0) {
      this.emitFileFinding('empty-migration', 1, 1, 1, 'no SQL statements: an empty or comment-only migration is almost always a mistake, and the runner refuses it');
      return this.sorted();
    }
    for (const statement of statements) this.ignores.set(statement, this.parseIgnores(statement));
    const directives = directivesIn(headerComments);
    if (this.noTransaction) directives.push('no-transaction');
    this.walkFile(statements, directives);
    this.reportUnusedIgnores();
    return this.sorted();
  }

  // ---- transaction structure -------------------------------------------------------------------

  private walkFile(statements: SqlStatement[], directives: string[]): void {
    const first = statements[0]!;
    const last = statements[statements.length - 1]!;
    const wrapped = statements.length >= 2 && transactionControl(first) === 'begin' && transactionControl(last) === 'commit';
    const body = wrapped && !managesOwnTransactions(statements) ? statements.slice(1, -1) : statements;
    const forcedOut = body.some((statement) => nonTransactionalReason(statement));
    // A file of its own BEGIN … COMMIT blocks runs as written (src/sql/transaction-rules.ts): its blocks are its transactions.
    // So does a no-transaction file with BEGIN/COMMIT in it (src/migrations/script.ts compileScript).
    const hasControl = statements.some((statement) => transactionControl(statement) && transactionControl(statement) !== 'savepoint');
    const asWritten = managesOwnTransactions(statements) || (directives.includes('no-transaction') && hasControl);
    this.transactional = !asWritten && (wrapped || (!forcedOut && !directives.includes('no-transaction')));
    let transactionId = 0;
    let inExplicit = false;
    const structure = transactionStructure(asWritten ? statements : body, wrapped && !asWritten, asWritten);
    for (const statement of body) {
      const control = transactionControl(statement);
      if (control) {
        if (control !== 'savepoint') {
          const verdict = structure.get(statement);
          if (verdict) this.emitForStatement('transaction-control', statement, verdict);
          // Whatever the runner does, PostgreSQL ends a transaction here: locks and NOT VALID constraints do not carry over.
          transactionId++;
          if (!this.transactional) inExplicit = control === 'begin';
        }
        continue;
      }
      if (!this.transactional && !inExplicit) transactionId++;
      const inTransaction = this.transactional || inExplicit;
      const unit: Unit = {
        line: statement.line,
        column: statement.column,
        endLine: statement.endLine,
        node: statement.node,
        kind: statement.kind,
        sql: statement.sql,
        inTransaction,
        transactionId,
        origin: 'file',
        originNote: '',
        suppressors: [statement],
        depth: 0,
      };
      this.process(unit, statement);
    }
  }

  // ---- one statement ---------------------------------------------------------------------------

  private process(unit: Unit, top: SqlStatement): void {
    for (const rule of this.rules.forKind(unit.kind)) {
      let hits: RuleHit[];
      try {
        hits = rule.check(unit, this);
      } catch (error) {
        // A rule must never take the whole lint down; an unexpected tree shape is reported, not thrown.
        hits = [{ message: `ddlgate could not check this statement with rule ${rule.id} (${(error as Error).message}); please report it`, severity: 'warning' }];
      }
      for (const hit of hits) this.emit(rule, unit, hit);
    }
    this.record(unit, top);
    if (unit.depth < MAX_NESTING) {
      this.expandDoBlock(unit, top);
      this.expandCalledFunctions(unit);
    }
  }

  /** Updates what the migration has done so far with one statement. */
  private record(unit: Unit, top: SqlStatement): void {
    const node = unit.node;
    if (unit.inTransaction && !this.accessExclusive.has(unit.transactionId)) {
      const table = accessExclusiveTarget(unit, this);
      if (table) this.accessExclusive.set(unit.transactionId, { table, line: unit.line, reported: false });
    }
    this.schema.apply(node, { pending: true });
    if (node.AlterEnumStmt?.newVal && !node.AlterEnumStmt.oldVal && unit.inTransaction) {
      const values = this.enumValues.get(unit.transactionId) ?? new Map<string, number>();
      values.set(node.AlterEnumStmt.newVal, unit.line);
      this.enumValues.set(unit.transactionId, values);
    } else if (node.CreateFunctionStmt) {
      const name = funcName(node.CreateFunctionStmt);
      this.functions.set(name, { statement: unit, top, node: node.CreateFunctionStmt, expanded: false });
    } else if (node.AlterTableStmt) this.recordAlterTable(unit, node.AlterTableStmt);
  }

  private recordAlterTable(unit: Unit, stmt: Node): void {
    const table = rangeVarRef(stmt.relation);
    if (!table) return;
    for (const cmd of alterCommands(stmt)) {
      const constraint = cmd.def?.Constraint;
      if (cmd.subtype === 'AT_AddConstraint' && constraint && constraint.skip_validation && constraint.conname && unit.inTransaction) {
        this.notValid.push({ table, name: constraint.conname, transactionId: unit.transactionId, line: unit.line });
      }
    }
  }

  // ---- DO blocks and function bodies ------------------------------------------------------------

  private expandDoBlock(unit: Unit, top: SqlStatement): void {
    const doStmt = unit.node.DoStmt;
    if (!doStmt) return;
    const options = defElems(doStmt.args);
    const language = (stringValue(options.get('language')?.arg) ?? 'plpgsql').toLowerCase();
    const body = stringValue(options.get('as')?.arg);
    if (language !== 'plpgsql' || body === undefined) return;
    const frame = locateBody(unit, body);
    const tag = dollarTagFor(body);
    const wrapper = `CREATE FUNCTION ddlgate_do() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`;
    this.expandPlpgsql(wrapper, frame, unit, top, 'do', ` (in the DO block at line ${unit.line})`);
  }

  private expandPlpgsql(functionSql: string, frame: Frame, parent: Unit, top: SqlStatement, origin: 'do' | 'function', note: string): void {
    let parsed: any[];
    try {
      parsed = parsePlpgsqlRaw(functionSql);
    } catch (error) {
      this.emitForUnit('syntax', parent, {
        message: `the PL/pgSQL body${note} does not parse: ${(error as Error).message}; its statements were not checked`,
      });
      return;
    }
    const queries: Array<{ query: string; lineno: number; dynamic: boolean }> = [];
    visit(parsed, (value) => {
      const exec = value.PLpgSQL_stmt_execsql;
      if (exec?.sqlstmt?.PLpgSQL_expr?.query) queries.push({ query: exec.sqlstmt.PLpgSQL_expr.query, lineno: exec.lineno ?? 1, dynamic: false });
      const perform = value.PLpgSQL_stmt_perform;
      if (perform?.expr?.PLpgSQL_expr?.query) queries.push({ query: perform.expr.PLpgSQL_expr.query, lineno: perform.lineno ?? 1, dynamic: false });
      const call = value.PLpgSQL_stmt_call;
      if (call?.expr?.PLpgSQL_expr?.query) queries.push({ query: call.expr.PLpgSQL_expr.query, lineno: call.lineno ?? 1, dynamic: false });
      const dynamic = value.PLpgSQL_stmt_dynexecute;
      if (dynamic?.query?.PLpgSQL_expr?.query) queries.push({ query: dynamic.query.PLpgSQL_expr.query, lineno: dynamic.lineno ?? 1, dynamic: true });
    });
    queries.sort((a, b) => a.lineno - b.lineno);
    for (const { query, lineno, dynamic } of queries) {
      const lineStart = nthLineStart(frame.text, lineno);
      const found = frame.text.indexOf(query, lineStart);
      const start = found >= 0 ? found : firstNonSpace(frame.text, lineStart);
      const at = positionIn(frame, start);
      const sql = dynamic ? literalSql(query) : query;
      if (sql === undefined) continue;
      this.expandSqlText(sql, { text: sql, ...at }, parent, top, origin, note, !dynamic);
    }
  }

  /** Parses SQL found inside a body and processes each of its statements. */
  private expandSqlText(sql: string, frame: Frame, parent: Unit, top: SqlStatement, origin: 'do' | 'function', note: string, exact: boolean): void {
    let statements;
    try {
      statements = parseRaw(sql).stmts;
    } catch {
      return; // dynamic SQL built from fragments, or a body PostgreSQL itself would reject at run time
    }
    const bytes = Buffer.from(sql, 'utf8');
    for (const entry of statements) {
      const startChar = entry.stmt_location ? bytes.subarray(0, entry.stmt_location).toString('utf8').length : 0;
      const endChar = entry.stmt_len ? bytes.subarray(0, (entry.stmt_location ?? 0) + entry.stmt_len).toString('utf8').length : sql.length;
      const text = sql.slice(startChar, endChar);
      const leading = text.length - text.trimStart().length;
      const stmtSql = text.trim();
      const at = exact ? positionIn(frame, startChar + leading) : { line: frame.line, column: frame.column };
      const unit: Unit = {
        node: entry.stmt,
        kind: Object.keys(entry.stmt)[0] ?? 'Unknown',
        sql: stmtSql,
        line: at.line,
        column: at.column,
        endLine: exact ? at.line + countNewlines(stmtSql) : at.line,
        inTransaction: true,
        transactionId: parent.transactionId,
        origin,
        originNote: note,
        suppressors: parent.suppressors,
        depth: parent.depth + 1,
      };
      this.process(unit, top);
    }
  }

  private expandCalledFunctions(unit: Unit): void {
    if (this.functions.size === 0 || unit.node.CreateFunctionStmt) return;
    for (const call of functionCallsIn(unit.node)) {
      const name = funcName(call);
      const fn = this.functions.get(name) ?? this.functions.get(name.split('.').pop()!);
      if (!fn || fn.expanded) continue;
      fn.expanded = true;
      const options = defElems(fn.node.options);
      const language = (stringValue(options.get('language')?.arg) ?? 'sql').toLowerCase();
      const note = ` (in function ${name}, called at line ${unit.line})`;
      const caller: Unit = { ...unit, suppressors: [...unit.suppressors, ...fn.statement.suppressors] };
      const asItems = options.get('as')?.arg?.List?.items ?? [];
      const body = asItems.length === 1 ? stringValue(asItems[0]) : undefined;
      if (fn.node.sql_body) {
        // BEGIN ATOMIC … END: already parsed, positioned at the CREATE statement.
        const nodes: Node[] = [];
        visit(fn.node.sql_body, (value, key) => {
          if (key === 'items' && value && Object.keys(value).length === 1 && /Stmt$/.test(Object.keys(value)[0]!)) nodes.push(value);
        });
        for (const node of nodes) {
          this.process(
            { ...fn.statement, node, kind: Object.keys(node)[0]!, inTransaction: true, transactionId: unit.transactionId, origin: 'function', originNote: note, suppressors: caller.suppressors, depth: unit.depth + 1 },
            fn.top,
          );
        }
      } else if (body !== undefined) {
        const frame = locateBody(fn.statement, body);
        if (language === 'plpgsql') this.expandPlpgsql(fn.statement.sql, frame, { ...caller, depth: unit.depth }, fn.top, 'function', note);
        else if (language === 'sql') this.expandSqlText(body, frame, { ...caller, depth: unit.depth }, fn.top, 'function', note, true);
      }
    }
  }

  // ---- MigrationState --------------------------------------------------------------------------

  isNewTable(ref: RelationRef | undefined): boolean {
    return this.schema.table(ref)?.isNew === true;
  }

  isNewIndex(ref: RelationRef | undefined): boolean {
    return this.schema.index(ref)?.isNew === true;
  }

  isNewSchema(name: string | undefined): boolean {
    return !!name && this.schema.schemas.get(name)?.isNew === true;
  }

  isNewType(ref: RelationRef | undefined): boolean {
    return this.schema.types.get(ref)?.isNew === true;
  }

  hasValidatedNotNullCheck(table: RelationRef, column: string): boolean {
    return this.schema.hasValidatedNotNull(table, column);
  }

  notValidConstraintInSameTransaction(table: RelationRef, name: string, transactionId: number): number | undefined {
    return this.notValid.find((entry) => entry.name === name && entry.transactionId === transactionId && sameRelation(entry.table, table))?.line;
  }

  accessExclusiveHeld(transactionId: number) {
    return this.accessExclusive.get(transactionId);
  }

  enumValuesAddedInTransaction(transactionId: number): ReadonlyMap<string, number> {
    // Asked for every statement in a transaction: one shared empty map, not a new one each time.
    return this.enumValues.get(transactionId) ?? NO_ENUM_VALUES;
  }

  // ---- findings and suppressions -----------------------------------------------------------------

  private severityFor(rule: Rule, hit: RuleHit): Severity | 'off' {
    const configured = this.options.rules[rule.id];
    if (configured) return configured;
    return hit.severity ?? rule.severity;
  }

  private emit(rule: Rule, unit: Unit, hit: RuleHit): void {
    let severity = this.severityFor(rule, hit);
    if (severity === 'off') return;
    for (const suppressor of unit.suppressors) {
      const entry = this.ignores.get(suppressor)?.find((ignore) => ignore.rule === rule.id);
      if (entry) {
        entry.used = true;
        return;
      }
    }
    let message = hit.message + unit.originNote;
    if (rule.breaking && this.options.allowBreaking) {
      if (severity === 'error') severity = 'warning';
      message += ` (${ALLOWED_NOTE})`;
    }
    const table = hit.table ?? statementTable(unit.node);
    const finding: Finding = { rule: rule.id, severity, line: unit.line, column: unit.column, endLine: unit.endLine, message, hint: hit.hint ?? rule.safe, evidence: null, impact: null };
    // Added after the literal, not spread into it (a spread then more properties is slow on V8); still the last key.
    if (table) finding.table = qualifiedName(table);
    this.findings.push(finding);
  }

  private emitForUnit(ruleId: string, unit: Unit, hit: RuleHit): void {
    const rule = RULES_BY_ID.get(ruleId)!;
    if (this.options.rules[ruleId] === 'off') return;
    this.emit(rule, unit, hit);
  }

  private emitForStatement(ruleId: string, statement: SqlStatement, hit: RuleHit): void {
    this.emitForUnit(ruleId, { ...positionOf(statement), node: statement.node, kind: statement.kind, sql: statement.sql, inTransaction: false, transactionId: -1, origin: 'file', originNote: '', suppressors: [statement], depth: 0 }, hit);
  }

  private emitFileFinding(ruleId: string, line: number, column: number, endLine: number, message: string, hint?: string): void {
    const rule = RULES_BY_ID.get(ruleId)!;
    const configured = this.options.rules[ruleId];
    if (configured === 'off') return;
    this.findings.push({ rule: ruleId, severity: configured ?? rule.severity, line, column, endLine, message, hint: hint ?? rule.safe, evidence: null, impact: null });
  }

  private parseIgnores(statement: SqlStatement): IgnoreEntry[] {
    const entries: IgnoreEntry[] = [];
    for (const comment of statement.leadingComments) {
      const match = /^--\s*ddlgate-ignore(?![\w-])\s*(.*)$/i.exec(comment.text.trim());
      if (!match) continue;
      const spec = match[1]!.trim();
      const colon = spec.indexOf(':');
      const ruleList = colon >= 0 ? spec.slice(0, colon) : spec;
      const reason = colon >= 0 ? spec.slice(colon + 1).trim() : '';
      const ids = ruleList
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean);
      if (ids.length === 0) {
        this.emitFileFinding('invalid-ignore', comment.line, 1, comment.line, 'ddlgate-ignore names no rule: write `-- ddlgate-ignore <rule>[, <rule>]: <reason>`');
        continue;
      }
      if (!reason) {
        this.emitFileFinding('invalid-ignore', comment.line, 1, comment.line, `ddlgate-ignore ${ids.join(', ')} has no reason, so it silences nothing: write \`-- ddlgate-ignore ${ids.join(', ')}: <why this is safe here>\``);
        continue;
      }
      for (const id of ids) {
        if (!RULES_BY_ID.has(id)) {
          this.emitFileFinding('invalid-ignore', comment.line, 1, comment.line, `ddlgate-ignore names an unknown rule "${id}"`, `Known rules are listed in docs/rules.md.`);
          continue;
        }
        entries.push({ rule: id, line: comment.line, used: false });
      }
    }
    return entries;
  }

  private reportUnusedIgnores(): void {
    for (const entries of this.ignores.values()) {
      for (const entry of entries) {
        if (entry.used || this.options.rules[entry.rule] === 'off' || (this.down && RULES_BY_ID.get(entry.rule)?.breaking)) continue;
        this.emitFileFinding('unused-ignore', entry.line, 1, entry.line, `ddlgate-ignore ${entry.rule} silences nothing: the statement below it has no ${entry.rule} finding`);
      }
    }
  }

  private sorted(): Finding[] {
    return this.findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  }
}

const NO_ENUM_VALUES: ReadonlyMap<string, number> = new Map();

/**
 * The active rules by statement kind. A rule that declares `kinds` is called only for those statements; the
 * lists keep RULES order and are built once per kind, then reused for every statement (and, through
 * dispatchFor's cache, for every file linted with the same settings).
 */
class RuleDispatch {
  private readonly byKind = new Map<string, Rule[]>();

  constructor(private readonly active: readonly Rule[]) {}

  forKind(kind: string): Rule[] {
    let rules = this.byKind.get(kind);
    if (!rules) {
      rules = this.active.filter((rule) => !rule.kinds || rule.kinds.includes(kind));
      this.byKind.set(kind, rules);
    }
    return rules;
  }
}

/** Dispatch tables by rule settings (which rules are off, up or down): a directory's files share one. */
const DISPATCH = new Map<string, RuleDispatch>();

function dispatchFor(options: LintOptions, down: boolean): RuleDispatch {
  // Keyed by the rules left out (usually none): asked once per file, so no list is built when the table exists.
  let key = '';
  for (const rule of RULES) if (options.rules[rule.id] === 'off' || (down && rule.breaking)) key += `${rule.id},`;
  let dispatch = DISPATCH.get(key);
  if (!dispatch) {
    dispatch = new RuleDispatch(RULES.filter((rule) => options.rules[rule.id] !== 'off' && !(down && rule.breaking)));
    DISPATCH.set(key, dispatch);
  }
  return dispatch;
}

const RUNNER_REFUSES = 'ddlgate runs one migration in one transaction and refuses this file: remove it (only a BEGIN … COMMIT pair wrapping the whole file is accepted)';

/**
 * Judges each BEGIN/COMMIT/ROLLBACK inside a file (the whole-file BEGIN … COMMIT wrapper is already
 * removed) by its consequence: a COMMIT with work on both sides can leave half a migration applied, and a
 * BEGIN never committed leaves its locks held until the session ends: errors. A nested BEGIN, a ROLLBACK
 * that discards the file's work, or a COMMIT with nothing to split are harmless in PostgreSQL: warnings.
 */
function transactionStructure(body: SqlStatement[], wrapped: boolean, asWritten: boolean): Map<SqlStatement, RuleHit> {
  const verdicts = asWritten ? new AsWrittenVerdicts() : new Map<SqlStatement, RuleHit>();
  const effectful = (statement: SqlStatement) => !transactionControl(statement) && !isReadOnly(statement.node);
  // In a file wrapped in BEGIN … COMMIT, the wrapper's transaction is open at the start.
  let open: SqlStatement | undefined;
  let wrapperOpen = wrapped;
  for (let i = 0; i < body.length; i++) {
    const statement = body[i]!;
    const control = transactionControl(statement);
    if (!control || control === 'savepoint') continue;
    const word = statement.sql.split(/\s/)[0]!.toUpperCase();
    if (control === 'begin') {
      if (open || wrapperOpen) verdicts.set(statement, { message: `${word} inside a transaction that is already open ${open ? ` (line ${open.line})` : ''}: PostgreSQL ignores it with a warning; ${RUNNER_REFUSES}`, severity: 'warning' });
      else open = statement;
      continue;
    }
    if (control === 'rollback') {
      verdicts.set(statement, { message: `ROLLBACK discards the work before it${open ? ` (since BEGIN at line ${open.line})` : ''}: the migration does nothing that lasts; ${RUNNER_REFUSES}`, severity: 'warning' });
      open = undefined;
      wrapperOpen = false;
      continue;
    }
    // COMMIT (or END): work on both sides means a failure after it leaves the migration half applied.
    const before = body.slice(0, i).some(effectful);
    const after = body.slice(i + 1).some(effectful);
    if (open) {
      verdicts.set(statement, before && after
        ? { message: `${word} in the middle of the migration: if anything after line ${statement.line} fails, the work before it stays applied; ${RUNNER_REFUSES}` }
        : { message: `${word} closes the transaction opened at line ${open.line}; the file holds several transactions: ${RUNNER_REFUSES}`, severity: 'warning' });
      verdicts.set(open, verdicts.get(open) ?? { message: `BEGIN at line ${open.line} opens one of several transactions in this file: ${RUNNER_REFUSES}`, severity: 'warning' });
      open = undefined;
    } else if (wrapperOpen) {
      // BEGIN; …; COMMIT; BEGIN; …; COMMIT; — consecutive transactions, each committed on purpose.
      verdicts.set(statement, { message: `${word} ends the first of several transactions in this file (a failure in a later one leaves the earlier ones applied): ${RUNNER_REFUSES}`, severity: 'warning' });
      wrapperOpen = false;
    } else {
      verdicts.set(statement, before && after
        ? { message: `${word} in the middle of the migration commits the work before it: if anything after line ${statement.line} fails, the migration stays half applied; ${RUNNER_REFUSES}` }
        : { message: `${word} without a BEGIN: there is no work to split here, but ${RUNNER_REFUSES}`, severity: 'warning' });
    }
  }
  if (open && wrapped) {
    verdicts.set(open, verdicts.get(open) ?? { message: `BEGIN at line ${open.line} opens one of several transactions in this file: ${RUNNER_REFUSES}`, severity: 'warning' });
  } else if (open) {
    verdicts.set(open, {
      message: `${open.sql.split(/\s/)[0]!.toUpperCase()} at line ${open.line} is never committed: everything after it runs in a transaction that ends only with the session (rolled back, its locks held until then); ${RUNNER_REFUSES}`,
    });
  }
  return verdicts;
}

/**
 * A file the runner runs as written (its own BEGIN … COMMIT blocks, or no-transaction with BEGIN/COMMIT):
 * only what is harmful in PostgreSQL itself is reported, without the note that the runner refuses it.
 */
class AsWrittenVerdicts extends Map<SqlStatement, RuleHit> {
  override set(statement: SqlStatement, hit: RuleHit): this {
    if (!/never committed/.test(hit.message)) return this;
    return super.set(statement, { ...hit, message: hit.message.replace(/;? ?(: )?ddlgate runs one migration in one transaction and refuses this file: remove it \(only a BEGIN … COMMIT pair wrapping the whole file is accepted\)/, '').replace(/[:;,]\s*$/, '') });
  }
}

/** Statements that change nothing (a SELECT without INTO, SET, SHOW, EXPLAIN without ANALYZE). */
function isReadOnly(node: Node): boolean {
  if (node.SelectStmt) return !node.SelectStmt.intoClause && !JSON.stringify(node).includes('"FuncCall"');
  return !!(node.VariableSetStmt || node.VariableShowStmt);
}

/** The table a statement works on, for findings that do not name one themselves. */
export function statementTable(node: Node): RelationRef | undefined {
  const relation =
    node.AlterTableStmt?.relation ??
    node.IndexStmt?.relation ??
    node.RenameStmt?.relation ??
    node.RefreshMatViewStmt?.relation ??
    node.ClusterStmt?.relation ??
    node.TruncateStmt?.relations?.[0]?.RangeVar ??
    node.LockStmt?.relations?.[0]?.RangeVar ??
    node.VacuumStmt?.rels?.[0]?.VacuumRelation?.relation ??
    node.UpdateStmt?.relation ??
    node.DeleteStmt?.relation ??
    node.RuleStmt?.relation ??
    node.CreateTrigStmt?.relation;
  if (relation) return rangeVarRef(relation);
  if (node.DropStmt && ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW'].includes(node.DropStmt.removeType)) return nameListRef(node.DropStmt.objects?.[0]?.List?.items);
  return undefined;
}

/** `public.orders` for `orders` (the default search_path), `app.orders` as written. */
export function qualifiedName(ref: RelationRef): string {
  return `${ref.schema ?? 'public'}.${ref.name}`;
}

// ---- positions inside statements and bodies -------------------------------------------------------

function positionOf(statement: SqlStatement) {
  return { line: statement.line, column: statement.column, endLine: statement.endLine };
}

/** Where a body (DO or function) starts inside its statement, as a frame for positions. */
function locateBody(unit: LintStatement, body: string): Frame {
  const statementFrame: Frame = { text: unit.sql, line: unit.line, column: unit.column };
  let index = unit.sql.indexOf(body);
  if (index < 0) {
    // Single-quoted body with doubled quotes: positions are approximate (start of its first line).
    const firstLine = body.split('\n')[0]!;
    index = firstLine.trim() ? unit.sql.indexOf(firstLine) : -1;
  }
  if (index < 0) return { text: body, line: unit.line, column: unit.column };
  return { text: body, ...positionIn(statementFrame, index) };
}

function positionIn(frame: Frame, index: number): { line: number; column: number } {
  const before = frame.text.slice(0, index);
  const lastNewline = before.lastIndexOf('\n');
  const line = frame.line + countNewlines(before);
  const column = lastNewline < 0 ? frame.column + [...before].length : [...before.slice(lastNewline + 1)].length + 1;
  return { line, column };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Index of the first character of a 1-based line of a text. */
function nthLineStart(text: string, line: number): number {
  let index = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', index);
    if (next < 0) return index;
    index = next + 1;
  }
  return index;
}

function firstNonSpace(text: string, from: number): number {
  const match = /\S/.exec(text.slice(from));
  return match ? from + match.index : from;
}

function dollarTagFor(body: string): string {
  let tag = '$ddlgate$';
  for (let n = 0; body.includes(tag); n++) tag = `$ddlgate${n}$`;
  return tag;
}

/**
 * The SQL of `EXECUTE '<literal>'` or `EXECUTE format('<literal>', …)` (placeholders replaced by
 * dummy names), or undefined when the statement is built from variables ddlgate cannot see.
 */
export function literalSql(expression: string): string | undefined {
  const text = expression.trim();
  const formatCall = /^format\s*\(\s*/i.exec(text);
  const rest = formatCall ? text.slice(formatCall[0].length) : text;
  const literal = readLiteral(rest);
  if (!literal) return undefined;
  const after = rest.slice(literal.length).trim();
  if (formatCall ? !/^[,)]/.test(after) : after !== '') return undefined;
  let sql = literal.value;
  if (formatCall) sql = sql.replace(/%(\d+\$)?-?\d*([IsL%])/g, (_, __, kind: string) => (kind === '%' ? '%' : kind === 'L' ? "'ddlgate_value'" : 'ddlgate_name'));
  return sql;
}

function readLiteral(text: string): { value: string; length: number } | undefined {
  const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text);
  if (dollar) {
    const end = text.indexOf(dollar[0], dollar[0].length);
    if (end < 0) return undefined;
    return { value: text.slice(dollar[0].length, end), length: end + dollar[0].length };
  }
  if (text.startsWith("'")) {
    let i = 1;
    let value = '';
    while (i < text.length) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        return { value, length: i + 1 };
      }
      value += text[i];
      i++;
    }
  }
  return undefined;
}
