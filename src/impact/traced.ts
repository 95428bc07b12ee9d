/**
 * Impact of every lock the dry-run traced, not only of lint findings: for each lock that blocks
 * something on a table the production snapshot knows, its size in production and the estimated
 * duration of the statement's blocking part — the statement's operation (rewrite, validating scan,
 * index build, or only the lock) measured on the table it works through, as the finding impact does.
 * Pure: a dry-run report and a snapshot in, a new report out (the input is not modified).
 */
import type { DryRunReport, DryRunStatement } from '../db/dry-run.js';
import type { TracedLock } from '../db/lock-trace.js';
import type { Impact } from '../lint/types.js';
import { parseSqlStatements } from '../sql/statements.js';
import type { ImpactSettings } from './apply.js';
import { formatBytes } from '../units.js';
import { estimateRange, formatRange, type Operation } from './estimate.js';
import { lookupTable, totalBytes, type Snapshot } from './snapshot.js';
import { statementTarget, type Relation } from './targets.js';

/** DESIGN.md's impact, for a traced lock: plus the operation that holds it and one line for the report. */
export interface LockImpact extends Impact {
  operation: Operation;
  summary: string;
}

/** A traced lock with its production impact (absent when the table is not in the snapshot). */
export type LockWithImpact = TracedLock & { impact?: LockImpact };

const TABLE_KINDS = new Set(['table', 'partitioned table', 'materialized view']);

const WHAT: Record<Operation, string> = { rewrite: 'table rewrite', scan: 'validating scan', 'index build': 'index build', lock: 'lock' };

type Node = Record<string, any>;

/** What the statement does while it holds its locks, and on which table that work scales. */
export function statementOperation(statement: Pick<DryRunStatement, 'sql' | 'rewrites'>): { operation: Operation; table?: Relation } {
  if (statement.rewrites.length) return { operation: 'rewrite', table: relationOf(statement.rewrites[0]!) };
  let parsed;
  try {
    parsed = parseSqlStatements(statement.sql).statements[0];
  } catch {
    return { operation: 'lock' };
  }
  if (!parsed) return { operation: 'lock' };
  const stmt: Node = parsed.node[parsed.kind] ?? {};
  const target = statementTarget(parsed.kind, stmt);
  const table = target?.kind === 'table' ? target.target : undefined;
  if (parsed.kind === 'IndexStmt') return stmt.concurrent ? { operation: 'lock' } : { operation: 'index build', ...(table ? { table } : {}) };
  if (parsed.kind === 'AlterTableStmt') {
    const cmds: Node[] = (stmt.cmds ?? []).map((c: Node) => c.AlterTableCmd ?? {});
    const constraints = cmds.filter((c) => c.subtype === 'AT_AddConstraint').map((c) => c.def?.Constraint ?? {});
    const builds = constraints.some((c) => ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(c.contype) && !c.indexname);
    if (builds || cmds.some((c) => c.subtype === 'AT_AddIndex')) return { operation: 'index build', ...(table ? { table } : {}) };
    const scans = cmds.some((c) => c.subtype === 'AT_SetNotNull' || c.subtype === 'AT_ValidateConstraint') || constraints.some((c) => (c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_FOREIGN') && !c.skip_validation);
    if (scans) return { operation: 'scan', ...(table ? { table } : {}) };
  }
  return { operation: 'lock' };
}

function relationOf(name: string): Relation {
  const dot = name.indexOf('.');
  return dot < 0 ? { name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
}

/** The report with `impact` on every blocking lock of a pre-existing table the snapshot knows. */
export function withTracedImpact(report: DryRunReport, snapshot: Snapshot, settings: ImpactSettings): DryRunReport {
  return {
    ...report,
    migrations: report.migrations.map((migration) => ({
      ...migration,
      statements: migration.statements.map((statement) => {
        const locks = statement.locks as TracedLock[];
        if (!locks.some(annotatable)) return statement;
        const { operation, table } = statementOperation(statement);
        return { ...statement, locks: locks.map((lock) => (annotatable(lock) ? lockWithImpact(lock, operation, table, snapshot, settings) : lock)) };
      }),
    })),
  };
}

function annotatable(lock: TracedLock): boolean {
  return lock.preExisting !== false && lock.blocks.length > 0 && TABLE_KINDS.has(lock.kind);
}

function lockWithImpact(lock: TracedLock, operation: Operation, worksOn: Relation | undefined, snapshot: Snapshot, settings: ImpactSettings): LockWithImpact {
  const found = lookupTable(snapshot, relationOf(lock.relation), settings.redactKey);
  if (!found) return lock;
  // The statement's work scales with the table it works through (the index's table, the rewritten one);
  // every lock it holds lasts as long as that work.
  const rows = found.stats.rows;
  const bytes = totalBytes(found.stats);
  const size = `${rows === null ? 'unknown rows' : `${rows.toLocaleString('en-US')} rows`}, ${formatBytes(bytes)} in production`;
  const work = worksOn && operation !== 'lock' ? lookupTable(snapshot, worksOn, settings.redactKey) : found;
  if (!work) {
    // The work is on a table production does not have yet (new in this set): its duration is not guessed.
    const name = `${worksOn!.schema ?? 'public'}.${worksOn!.name}`;
    return { ...lock, impact: { table: found.table, rows, bytes, estimateSeconds: null, operation, summary: `${found.table}: ${size} — blocks ${lock.blocks.join(' and ')} during the ${WHAT[operation]} of ${name}, which is not in the production snapshot: duration unknown` } };
  }
  const stats = work.stats;
  const estimateSeconds = estimateRange(operation, { rows: stats.rows ?? 0, heapBytes: stats.heapBytes, toastBytes: stats.toastBytes, indexCount: stats.indexes.length }, settings.throughput, settings.lockTimeoutSeconds);
  const blocks = lock.blocks.join(' and ');
  const duration =
    operation === 'lock'
      ? `blocks ${blocks} while held, up to ${formatRange(estimateSeconds).replace(/^up to /, '')} waiting for it (lock_timeout)`
      : `blocks ${blocks} for an estimated ${formatRange(estimateSeconds)} (${WHAT[operation]}${work.table !== found.table ? ` of ${work.table}` : ''})`;
  return { ...lock, impact: { table: found.table, rows, bytes, estimateSeconds, operation, summary: `${found.table}: ${size} — ${duration}` } };
}
