/** Lint data model: the shapes of DESIGN.md's lint JSON and of a rule. Pure types, no behaviour. */

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  rule: string;
  severity: Severity;
  /** 1-based position of the statement (not of the file). */
  line: number;
  column: number;
  endLine: number;
  message: string;
  hint: string;
  /** What the dry-run saw: null when no dry-run ran (DESIGN.md "Lint JSON"). */
  evidence: Evidence | null;
  /** Size of the table in production: null when no snapshot is known (filled by the snapshot feature). */
  impact: Impact | null;
  /** The table the finding is about (`public.orders`), when it is about one; used by evidence and snapshots. */
  table?: string;
}

export interface Evidence {
  status: 'confirmed' | 'contradicted';
  observed: string;
  /** The strongest lock mode the dry-run saw on the finding's table (pg_locks name, e.g. `AccessExclusiveLock`); absent when none. */
  mode?: string;
  /** For rewrite findings: whether the dry-run saw the table's relfilenode change. */
  rewrote?: boolean;
}

/** DESIGN.md's `impact` (filled by src/impact from a snapshot); numbers are null for a table the snapshot does not know. */
export interface Impact {
  table: string;
  rows: number | null;
  bytes: number | null;
  estimateSeconds: [number, number] | null;
  /**
   * The impact in words, exactly as the impact pass appended it to the message (" — " + summary): the
   * report shows it in its impact slot and the message without it.
   */
  summary?: string;
}

export interface FileResult {
  path: string;
  findings: Finding[];
}

export interface LintSummary {
  errors: number;
  warnings: number;
  infos: number;
}

/** DESIGN.md "Lint JSON", exactly. */
export interface LintResult {
  files: FileResult[];
  summary: LintSummary;
}

export type RuleCategory = 'index' | 'constraint' | 'column' | 'breaking' | 'lock' | 'transaction' | 'hygiene' | 'input';

export interface RuleDoc {
  id: string;
  /** Default severity; ddlgate.json `rules` can change it or turn the rule off. */
  severity: Severity;
  category: RuleCategory;
  /** One line: what the rule reports. */
  summary: string;
  /** Why it is dangerous: which lock, which rewrite, what breaks. */
  why: string;
  /** The safe alternative. */
  safe: string;
  /** Blocked unless ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking (then reported as a warning). */
  breaking?: boolean;
  /** 'dry-run': reported only from the dry-run's evidence (src/lint/evidence.ts), not by linting SQL. */
  source?: 'dry-run';
  /** Example of what the rule reports, and of the safe way (SQL). */
  bad?: string;
  good?: string;
}

export interface RuleHit {
  message: string;
  /** Overrides the rule's generic hint when the statement allows a more precise one. */
  hint?: string;
  /**
   * A lower severity for an uncertain case (e.g. a default whose volatility ddlgate cannot know).
   * Ignored when ddlgate.json sets the rule's severity explicitly.
   */
  severity?: Severity;
  /** The table the finding is about, as written (schema-qualified when the statement is). */
  table?: RelationRef;
}

/** A statement as the rules see it: a top-level one, or one executed from a DO block or function body. */
export interface LintStatement {
  node: Record<string, any>;
  kind: string;
  sql: string;
  line: number;
  column: number;
  endLine: number;
  /** Whether the statement runs inside a transaction block (the runner's, an explicit BEGIN, or a DO block's). */
  inTransaction: boolean;
  /** Statements sharing a transaction share this id. */
  transactionId: number;
  /** Where the statement comes from: the file itself, a DO block, a function body called in the migration. */
  origin: 'file' | 'do' | 'function';
  /** For nested statements: " (in the DO block at line 3)". */
  originNote: string;
}

export interface RelationRef {
  schema?: string;
  name: string;
}

/** What the migration has done before the statement being checked. */
export interface MigrationState {
  /** The objects that exist before the statement (earlier migrations or the catalog, then this file so far). */
  readonly schema: import('./schema.js').SchemaModel;
  readonly pgVersion: number;
  /** The file runs statement by statement (no transaction around it). */
  readonly transactional: boolean;
  /** True for a down migration: breaking rules do not apply there (undoing the up is its purpose). */
  readonly down: boolean;
  isNewTable(ref: RelationRef | undefined): boolean;
  isNewIndex(ref: RelationRef | undefined): boolean;
  isNewSchema(name: string | undefined): boolean;
  isNewType(ref: RelationRef | undefined): boolean;
  /** A CHECK (col IS NOT NULL), or a NOT NULL constraint, validated earlier in the migration. */
  hasValidatedNotNullCheck(table: RelationRef, column: string): boolean;
  /** A constraint added NOT VALID earlier in the same transaction (VALIDATE would then hold the ADD's lock). */
  notValidConstraintInSameTransaction(table: RelationRef, name: string, transactionId: number): number | undefined;
  /** The ACCESS EXCLUSIVE lock currently held in this statement's transaction, if any. */
  accessExclusiveHeld(transactionId: number): { table: string; line: number; reported: boolean } | undefined;
  /** Enum values added earlier in the same transaction: type name → values. */
  enumValuesAddedInTransaction(transactionId: number): ReadonlyMap<string, number>;
}

export interface Rule extends RuleDoc {
  /**
   * The statement kinds (`LintStatement.kind`, e.g. `AlterTableStmt`) check() can report on: the engine calls
   * check() only for statements of these kinds (most rules look at one or two of the ~50 kinds a migration has,
   * and the engine would otherwise call every rule for every statement). Absent: every statement. Empty: none
   * (the finding comes from the engine or the dry-run, not from a statement check).
   */
  readonly kinds?: readonly string[];
  check(statement: LintStatement, state: MigrationState): RuleHit[];
}
