/**
 * The one report model every PR-facing output is rendered from: the sticky comment, the job summary,
 * annotations and review suggestions. Pure data and pure helpers (counts, verdict, headline); the
 * action fills it, the renderers only read it.
 */
import type { DryRunMigration, DryRunReport } from '../db/dry-run.js';
import type { StatusItem } from '../db/status.js';
import type { Finding } from '../lint/types.js';

export type Verdict = 'blocking' | 'warnings' | 'safe' | 'failed' | 'could-not-run';
export type FailOn = 'error' | 'warning' | 'never';

export type { Evidence, Impact } from '../lint/types.js';

export interface ReportFinding extends Finding {
  /** The statement's text (trimmed), shown as the problem. (`evidence` comes from the lint's dry-run comparison, `impact` from a snapshot.) */
  excerpt?: string;
  /** The traced lock at this statement, one line (from the dry-run), e.g. "SHARE lock on public.users — blocks writes". */
  traced?: string;
  /** The safe statement, when the fix is a mechanical rewrite of this one. */
  fix?: { sql: string; note?: string };
}

export interface ReportFile {
  /** Path inside the repository (links, annotations, suggestions). */
  path: string;
  /** Blob URL of the file at a commit GitHub has it (the PR head for the PR's files); no link without it. */
  url?: string;
  version?: string;
  name?: string;
  /** e.g. "added", "modified", "pending", "applied". */
  status?: string;
  /** null: the file was not linted (e.g. a pending migration outside the PR's changes). */
  findings: ReportFinding[] | null;
  dryRun?: DryRunMigration;
}

export interface ReportOperation {
  /** One-line result, e.g. "Applied 2 migrations in batch 3." */
  headline: string;
  ok: boolean;
  /** Details shown in a collapsed block: plain text lines, escaped when rendered. */
  details?: string[];
  /** SQL shown in a collapsed code block (rollback: the down SQL that runs). */
  sql?: Array<{ title: string; sql: string }>;
}

export interface CouldNotRun {
  /** input: bad input or configuration (exit 2 in the CLI); infrastructure: no database, no lock, no tool. */
  kind: 'input' | 'infrastructure';
  reason: string;
}

export interface ReportModel {
  /** The migrations directory as given in the input (the marker and heading use it). */
  dir: string;
  command: string;
  files: ReportFile[];
  /** The dry-run ran (true/false) or did not (undefined). */
  dryRunOk?: boolean;
  /** The whole dry-run report (the summary shows timings from it). */
  dryRunReport?: DryRunReport;
  /** The check could not judge (or do) what it was asked: never shown as "Blocking". */
  couldNotRun?: CouldNotRun;
  operation?: ReportOperation;
  /** Migration states after the command (status, verify, apply, rollback). */
  status?: StatusItem[];
  /** Link to the workflow run (its job summary carries every finding). */
  runUrl?: string;
  failOn: FailOn;
  /** Short remarks shown under the verdict (changed-only scope, allowed breaking changes …). */
  notes?: string[];
  /** The PR scope (changed-only) was used: "no migration in this pull request" rather than "in the directory". */
  changedOnly?: boolean;
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
}

export function countFindings(files: ReportFile[]): Counts {
  const counts: Counts = { errors: 0, warnings: 0, infos: 0 };
  for (const file of files) {
    for (const finding of file.findings ?? []) {
      if (finding.severity === 'error') counts.errors++;
      else if (finding.severity === 'warning') counts.warnings++;
      else counts.infos++;
    }
  }
  return counts;
}

export function verdictOf(model: ReportModel): Verdict {
  if (model.couldNotRun) return 'could-not-run';
  const counts = countFindings(model.files);
  if (counts.errors > 0 || model.dryRunOk === false) return 'blocking';
  if (model.operation?.ok === false) return 'failed';
  if (counts.warnings > 0) return 'warnings';
  return 'safe';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${groupThousands(n)} ${n === 1 ? word : many}`;
}

/**
 * `4800` → `4,800`, as toLocaleString('en-US') writes integers, without loading ICU's number formatting
 * (tens of milliseconds of the action's cold start, for a comma).
 */
export function groupThousands(n: number): string {
  if (!Number.isInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
