/**
 * The impact pass: a pure function over lint findings, run after the lint (which it does not change
 * otherwise). For each finding about a lock on a table it adds DESIGN.md's `impact` — the table's size
 * in production and the estimated duration of the blocking part — and lets the severity follow size
 * and activity:
 *   - a table below the thresholds (ddlgate.json smallTableRows / smallTableBytes) → info, with the reason;
 *   - a table with no reads or writes at all since the statistics were reset (at least a day) → at most warning;
 *   - a table the snapshot does not know → said to be new (created by a migration of this set) or unknown;
 *     its severity is kept, nothing is guessed;
 *   - breaking changes keep their severity whatever the size.
 */
import { RULES_BY_ID } from '../lint/rules/index.js';
import type { FileResult, Finding, Impact, Severity } from '../lint/types.js';
import { estimateRange, formatDuration, formatRange, REFERENCE_THROUGHPUT, type Throughput } from './estimate.js';
import { formatBytes } from '../units.js';
import { RULE_IMPACT } from './operations.js';
import { lookupTable, totalBytes, type Snapshot, type SnapshotTable, identifierHash } from './snapshot.js';
import type { MigrationTargets, Relation } from './targets.js';

export type { Impact } from '../lint/types.js';

/** A finding as the pass sees it: the lint's `table` (when the rule set it) and DESIGN.md's `impact`. */
export type FindingWithImpact = Finding;

export interface ImpactSettings {
  smallTableRows: number;
  smallTableBytes: number;
  /** lock_timeout of the runner, in seconds: the ceiling of the wait for the lock. */
  lockTimeoutSeconds: number;
  throughput: Throughput;
  /** Key of a keyed redaction (DDLGATE_REDACT_KEY), to find tables in a redacted snapshot. */
  redactKey?: string;
  /** "Now" for the activity window (tests); default the snapshot's own time. */
}

export const DEFAULT_SMALL_TABLE_ROWS = 10_000;
export const DEFAULT_SMALL_TABLE_BYTES = 10 * 1024 * 1024;

export const DEFAULT_IMPACT_SETTINGS: ImpactSettings = {
  smallTableRows: DEFAULT_SMALL_TABLE_ROWS,
  smallTableBytes: DEFAULT_SMALL_TABLE_BYTES,
  lockTimeoutSeconds: 5,
  throughput: REFERENCE_THROUGHPUT,
};

/** The migrations' text-derived targets, by the path the lint result shows. */
export type TargetsByPath = ReadonlyMap<string, MigrationTargets>;

const COLD_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Adds impact to every finding (null where the rule is not about a table lock or no target is known)
 * and adjusts severities. Returns new file results; the input is not modified.
 */
export function applyImpact(files: readonly FileResult[], snapshot: Snapshot, targets: TargetsByPath, settings: ImpactSettings = DEFAULT_IMPACT_SETTINGS): FileResult[] {
  const createdIn = createdTables(files, targets);
  return files.map((file, fileIndex) => ({
    ...file,
    findings: file.findings.map((finding) => withImpact(finding as FindingWithImpact, file.path, fileIndex, snapshot, targets, createdIn, settings)),
  }));
}

function withImpact(finding: FindingWithImpact, file: string, fileIndex: number, snapshot: Snapshot, targets: TargetsByPath, createdIn: Map<string, { file: string; fileIndex: number; line: number }>, settings: ImpactSettings): FindingWithImpact {
  const rule = RULE_IMPACT[finding.rule];
  if (!rule) return { ...finding, impact: null };
  const target = targetOf(finding, targets.get(file), snapshot, settings.redactKey);
  if (!target) return { ...finding, impact: null };
  const found = lookupTable(snapshot, target, settings.redactKey);
  const name = `${target.schema ?? 'public'}.${target.name}`;
  if (!found) {
    const creator = createdIn.get(name);
    const isNew = creator && (creator.fileIndex < fileIndex || (creator.fileIndex === fileIndex && creator.line <= finding.line));
    const why = isNew
      ? `${name} is new: created by ${creator!.file}:${creator!.line}, not in the production snapshot (${day(snapshot.takenAt)}); its size when this runs depends on what the migrations before it insert`
      : `${name} is not in the production snapshot (${day(snapshot.takenAt)}): its size in production is unknown`;
    return { ...finding, message: `${finding.message} — ${why}`, impact: { table: name, rows: null, bytes: null, estimateSeconds: null, summary: why } };
  }
  const stats = found.stats;
  const rows = stats.rows;
  const bytes = totalBytes(stats);
  const estimateSeconds = estimateRange(rule.operation, { rows: rows ?? 0, heapBytes: stats.heapBytes, toastBytes: stats.toastBytes, indexCount: stats.indexes.length }, settings.throughput, settings.lockTimeoutSeconds);
  const impact: Impact = { table: name, rows, bytes, estimateSeconds };
  const size = `${name} has ${rows === null ? 'an unknown number of' : rows.toLocaleString('en-US')} rows, ${formatBytes(bytes)} in production`;
  const activity = activityText(stats, snapshot);
  const breaking = rule.keepsSeverity === true || RULES_BY_ID.get(finding.rule)?.breaking === true;
  const small = rows !== null && rows < settings.smallTableRows && bytes < settings.smallTableBytes;

  if (!breaking && small && finding.severity !== 'info') {
    const held = rule.operation === 'lock' || estimateSeconds[1] < 0.1 ? 'the lock is held for milliseconds' : `the ${rule.what} takes about ${formatRange(estimateSeconds)}`;
    const summary = `info: ${size}${activity ? ` (${activity})` : ''}: ${held} (below ${settings.smallTableRows.toLocaleString('en-US')} rows and ${formatBytes(settings.smallTableBytes)}, ddlgate.json smallTableRows / smallTableBytes)`;
    return { ...finding, severity: 'info', message: `${finding.message} — ${summary}`, impact: { ...impact, summary } };
  }
  const duration =
    rule.operation === 'lock'
      ? `blocks ${rule.blocks} while the lock is held, and ${formatRange(estimateSeconds)} waiting for it (lock_timeout)`
      : `blocks ${rule.blocks} for an estimated ${formatRange(estimateSeconds)} (${rule.what}), plus up to ${formatDuration(settings.lockTimeoutSeconds)} waiting for the lock`;
  let severity: Severity = finding.severity;
  let cold = '';
  if (!breaking && severity === 'error' && isCold(stats, snapshot)) {
    severity = 'warning';
    cold = ` — warning, not error: no reads or writes of ${name} since ${day(snapshot.statsReset!)}`;
  }
  const summary = `${size}${activity ? ` (${activity})` : ''}: ${duration}${cold}`;
  return { ...finding, severity, message: `${finding.message} — ${summary}`, impact: { ...impact, summary } };
}

/** The finding's table: the lint's own `table` when it sets one, else the statement at the finding's line. */
function targetOf(finding: FindingWithImpact, targets: MigrationTargets | undefined, snapshot: Snapshot, redactKey?: string): Relation | undefined {
  if (typeof finding.table === 'string') {
    const dot = finding.table.indexOf('.');
    return dot < 0 ? { name: finding.table } : { schema: finding.table.slice(0, dot), name: finding.table.slice(dot + 1) };
  }
  const statement = targets?.statements.find((s) => finding.line >= s.line && finding.line <= s.endLine);
  if (!statement) return undefined;
  if (statement.kind === 'table') return statement.target;
  return tableOfIndex(snapshot, statement.target, redactKey);
}

/** An index named in a statement → its table, from the snapshot's index lists. */
function tableOfIndex(snapshot: Snapshot, index: Relation, redactKey?: string): Relation | undefined {
  const wanted = snapshot.redacted ? identifierHash(index.name, redactKey) : index.name;
  const schema = index.schema ?? 'public';
  const schemaKey = snapshot.redacted ? identifierHash(schema, redactKey) : schema;
  for (const [key, table] of Object.entries(snapshot.tables)) {
    if (!key.startsWith(`${schemaKey}.`) || !table.indexes.some((i) => i.name === wanted)) continue;
    if (snapshot.redacted) return undefined; // the table's real name cannot be recovered from its hash
    return { schema, name: key.slice(schema.length + 1) };
  }
  return undefined;
}

function createdTables(files: readonly FileResult[], targets: TargetsByPath): Map<string, { file: string; fileIndex: number; line: number }> {
  const created = new Map<string, { file: string; fileIndex: number; line: number }>();
  files.forEach((file, fileIndex) => {
    for (const c of targets.get(file.path)?.created ?? []) {
      const name = `${c.table.schema ?? 'public'}.${c.table.name}`;
      if (!created.has(name)) created.set(name, { file: file.path, fileIndex, line: c.line });
    }
  });
  return created;
}

/** Writes per hour since the counters were reset when that time is known, else the count itself. */
function activityText(stats: SnapshotTable, snapshot: Snapshot): string {
  if (!stats.activity) return '';
  const writes = stats.activity.inserts + stats.activity.updates + stats.activity.deletes;
  const hours = snapshot.statsReset ? (Date.parse(snapshot.takenAt) - Date.parse(snapshot.statsReset)) / 3_600_000 : NaN;
  if (!(hours > 0)) return `${writes.toLocaleString('en-US')} row writes counted by the server's statistics`;
  if (writes === 0) return `no writes since ${day(snapshot.statsReset!)}`;
  const perHour = writes / hours;
  return `~${perHour >= 10 ? Math.round(perHour).toLocaleString('en-US') : perHour.toFixed(1)} writes/hour since ${day(snapshot.statsReset!)}`;
}

function isCold(stats: SnapshotTable, snapshot: Snapshot): boolean {
  if (!stats.activity || !snapshot.statsReset) return false;
  if (Date.parse(snapshot.takenAt) - Date.parse(snapshot.statsReset) < COLD_WINDOW_MS) return false;
  const a = stats.activity;
  return a.seqScans === 0 && a.indexScans === 0 && a.inserts === 0 && a.updates === 0 && a.deletes === 0;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
