/**
 * The dry-run's evidence on a finding, in words: the one phrasing the PR comment, the job summary and
 * the dry-run markdown share. Pure; the result is plain text (callers escape it for markdown).
 */
import { lockModeLabel } from '../db/lock-trace.js';
import type { Evidence } from '../lint/types.js';

/** "ACCESS EXCLUSIVE lock, table rewritten" — what PostgreSQL did, from the structured fields. */
export function observedEffect(evidence: Evidence): string | undefined {
  const parts: string[] = [];
  if (evidence.mode) parts.push(`${lockModeLabel(evidence.mode)} lock`);
  if (evidence.rewrote === true) parts.push('table rewritten (new relfilenode)');
  if (evidence.rewrote === false) parts.push('no rewrite');
  return parts.length ? parts.join(', ') : undefined;
}

/** What the dry-run observed, with pg_locks names (AccessExclusiveLock) read as the report's lock labels (ACCESS EXCLUSIVE). */
export function observedText(evidence: Evidence): string {
  return evidence.observed.replace(/\b((?:[A-Z][a-z]+)+)Lock\b/g, (name: string) => lockModeLabel(name));
}

/** "confirmed by the dry-run: ACCESS EXCLUSIVE on public.t" or "contradicted by the dry-run: no rewrite of …". */
export function evidenceText(evidence: Evidence): string {
  return `${evidence.status} by the dry-run: ${observedText(evidence)}`;
}
