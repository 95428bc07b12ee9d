/**
 * Evidence from the dry-run: each lock or rewrite finding is confirmed or contradicted by what PostgreSQL
 * actually did (the lock modes the lock trace saw in pg_locks, the relfilenode change of a rewrite). A
 * contradicted finding is downgraded one severity with the evidence in its message; a rewrite, or a
 * blocking lock held for long, that no rule predicted becomes a finding of its own (rule dry-run-observed).
 * Pure: takes the lint result and the traced statements, returns a new lint result.
 */
import path from 'node:path';
import { summarize } from './summary.js';
import type { Evidence, FileResult, Finding, LintResult, Severity } from './types.js';

/** What the lock trace reports per statement (a structural subset of src/db's DryRunStatement). */
export interface TracedLock {
  relation: string;
  mode: string;
  preExisting?: boolean;
  observedMode?: string;
  inferred?: boolean;
}

export interface TracedStatement {
  line: number;
  durationMs?: number;
  locks: TracedLock[];
  rewrites: string[];
  /** Set when the dry-run validated the statement differently (e.g. without CONCURRENTLY): not comparable. */
  note?: string;
  error?: string;
}

export interface TracedMigration {
  path: string;
  ok: boolean;
  statements: TracedStatement[];
}

const MODES = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
const strength = (mode: string) => MODES.indexOf(mode);

/** What each rule predicts PostgreSQL will do: the weakest lock mode on its table, or a rewrite. */
export const PREDICTIONS: Readonly<Record<string, { lock?: string; rewrite?: boolean }>> = {
  'create-index-not-concurrently': { lock: 'ShareLock' },
  'drop-index-not-concurrently': { lock: 'AccessExclusiveLock' },
  'reindex-not-concurrently': { lock: 'ShareLock' },
  'set-not-null': { lock: 'AccessExclusiveLock' },
  'check-without-not-valid': { lock: 'AccessExclusiveLock' },
  'foreign-key-without-not-valid': { lock: 'ShareRowExclusiveLock' },
  'unique-constraint-without-index': { lock: 'AccessExclusiveLock' },
  'exclusion-constraint': { lock: 'AccessExclusiveLock' },
  'primary-key-nullable-columns': { lock: 'AccessExclusiveLock' },
  'validate-with-stronger-lock': { lock: 'AccessExclusiveLock' },
  'validate-in-same-transaction': { lock: 'ShareRowExclusiveLock' },
  'lock-table': { lock: 'ShareLock' },
  truncate: { lock: 'AccessExclusiveLock' },
  'refresh-materialized-view': { lock: 'AccessExclusiveLock' },
  'detach-partition-not-concurrently': { lock: 'AccessExclusiveLock' },
  'alter-domain-constraint': { lock: 'ShareLock' },
  'add-column-volatile-default': { rewrite: true },
  'add-column-stored-generated': { rewrite: true },
  'change-column-type': { rewrite: true },
  'set-logged-unlogged': { rewrite: true },
  'set-tablespace': { rewrite: true },
  'vacuum-full': { rewrite: true },
  cluster: { rewrite: true },
};

/** A blocking lock the dry-run held this long with no rule predicting it is reported (ms, dry-run time). */
export const UNPREDICTED_LOCK_MS = 1000;

const DOWNGRADE: Record<Severity, Severity> = { error: 'warning', warning: 'info', info: 'info' };

export function mergeEvidence(result: LintResult, migrations: TracedMigration[]): LintResult {
  const traced = new Map(migrations.map((migration) => [path.resolve(migration.path), migration]));
  const files: FileResult[] = result.files.map((file) => {
    const migration = traced.get(path.resolve(file.path));
    if (!migration) return file;
    const statements = [...migration.statements].sort((a, b) => a.line - b.line);
    const explained = new Set<TracedStatement>();
    const findings: Finding[] = file.findings.map((finding) => {
      const prediction = PREDICTIONS[finding.rule];
      if (!prediction) return finding;
      const statement = statementAt(statements, finding.line);
      if (!statement) return finding;
      explained.add(statement);
      if (statement.note || statement.error) return finding; // not run as written: nothing to compare
      const evidence = judge(finding, prediction, statement, statements.slice(0, statements.indexOf(statement)));
      if (evidence.status === 'confirmed') return { ...finding, evidence };
      return { ...finding, severity: DOWNGRADE[finding.severity], message: `${finding.message} — contradicted by the dry-run: ${evidence.observed}`, evidence };
    });
    for (const statement of statements) {
      if (explained.has(statement) || statement.note || statement.error) continue;
      const unpredicted = unpredictedFinding(statement, file.findings);
      if (unpredicted) findings.push(unpredicted);
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    return { ...file, findings };
  });
  return { ...result, files, summary: summarize(files) };
}

/** The traced statement a finding belongs to: the last one starting at or before the finding's line. */
function statementAt(statements: TracedStatement[], line: number): TracedStatement | undefined {
  let found: TracedStatement | undefined;
  for (const statement of statements) if (statement.line <= line) found = statement;
  return found;
}

/**
 * `earlier`: the statements of the same migration before this one. PostgreSQL lists a lock once per
 * transaction, so a table an earlier statement already locked at least as strongly shows no new lock at
 * this statement; it still runs under that lock (held even longer), which confirms the prediction.
 */
function judge(finding: Finding, prediction: { lock?: string; rewrite?: boolean }, statement: TracedStatement, earlier: TracedStatement[]): Evidence {
  const onTable = (relation: string) => !finding.table || sameRelation(relation, finding.table);
  const locks = statement.locks.filter((lock) => lock.preExisting !== false && onTable(lock.relation));
  // The strongest lock on the table an earlier statement of the migration took: still held here.
  let held: { line: number; locks: TracedLock[] } | undefined;
  for (const before of earlier) {
    const taken = before.error ? [] : before.locks.filter((lock) => lock.preExisting !== false && onTable(lock.relation));
    if (taken.length && (!held || strength(strongestMode(taken).mode!) > strength(strongestMode(held.locks).mode!))) held = { line: before.line, locks: taken };
  }
  const heldText = held ? `${describeLocks(held.locks)}, already held since line ${held.line} of this migration (the statement runs under it)` : undefined;
  const seen = describeLocks(locks) || heldText || 'no lock on an existing table';
  const mode = strongestMode(locks.length ? locks : (held?.locks ?? []));
  if (prediction.rewrite) {
    const rewritten = statement.rewrites.filter(onTable);
    if (rewritten.length > 0) return { status: 'confirmed', observed: `rewrote ${rewritten.join(', ')} (new relfilenode); ${seen}`, ...mode, rewrote: true };
    return { status: 'contradicted', observed: `no rewrite of ${finding.table ?? 'any existing table'} (relfilenode unchanged); ${seen}`, ...mode, rewrote: false };
  }
  const needed = strength(prediction.lock!);
  const strong = locks.filter((lock) => strength(lock.mode) >= needed);
  if (strong.length > 0) return { status: 'confirmed', observed: describeLocks(strong), ...strongestMode(strong) };
  if (held && strength(strongestMode(held.locks).mode!) >= needed) return { status: 'confirmed', observed: heldText!, ...strongestMode(held.locks) };
  return { status: 'contradicted', observed: `took ${seen}, weaker than the predicted ${prediction.lock}`, ...mode };
}

function unpredictedFinding(statement: TracedStatement, findings: Finding[]): Finding | undefined {
  const atStatement = findings.some((finding) => finding.line === statement.line && finding.severity === 'error');
  if (atStatement) return undefined;
  const rewrites = statement.rewrites;
  const blocking = statement.locks.filter((lock) => lock.preExisting !== false && strength(lock.mode) >= strength('ShareLock') && !lock.inferred);
  if (rewrites.length > 0) {
    return observed(statement, 'error', `the dry-run saw this statement rewrite ${rewrites.join(', ')} (new relfilenode) under ${describeLocks(blocking) || 'its lock'}, which no rule predicted`, rewrites[0]);
  }
  if (blocking.length > 0 && (statement.durationMs ?? 0) >= UNPREDICTED_LOCK_MS) {
    return observed(statement, 'warning', `the dry-run held ${describeLocks(blocking)} for ${Math.round(statement.durationMs!)} ms, blocking ${blocking.some((l) => l.mode === 'AccessExclusiveLock') ? 'reads and writes' : 'writes'}; no rule predicted it`, blocking[0]!.relation);
  }
  return undefined;
}

function observed(statement: TracedStatement, severity: Severity, message: string, table: string): Finding {
  return {
    rule: 'dry-run-observed',
    severity,
    line: statement.line,
    column: 1,
    endLine: statement.line,
    message,
    hint: 'Check what the statement does to the table on production data: a rewrite or long lock is an outage on a large, busy table. Use the safe pattern for the operation (see docs/rules.md), or run it in a maintenance window.',
    evidence: {
      status: 'confirmed',
      observed: message.replace(/^the dry-run saw this statement /, '').replace(/, which no rule predicted$/, ''),
      ...(statement.rewrites.length ? { rewrote: true } : {}),
      ...strongestMode(statement.locks.filter((lock) => lock.preExisting !== false)),
    },
    impact: null,
    table,
  };
}

function strongestMode(locks: TracedLock[]): { mode?: string } {
  const best = locks.reduce<string | undefined>((found, lock) => (found === undefined || strength(lock.mode) > strength(found) ? lock.mode : found), undefined);
  return best ? { mode: best } : {};
}

function describeLocks(locks: TracedLock[]): string {
  return locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(', ');
}

function sameRelation(a: string, b: string): boolean {
  const norm = (name: string) => {
    const clean = name.replace(/"/g, '');
    return clean.includes('.') ? clean : `public.${clean}`;
  };
  return norm(a) === norm(b);
}

