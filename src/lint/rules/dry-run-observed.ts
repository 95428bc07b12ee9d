import type { Rule } from '../types.js';

/** Reported by the evidence merge (src/lint/evidence.ts) when the dry-run ran, never by the linter alone. */
export const rule: Rule = {
  id: 'dry-run-observed',
  severity: 'error',
  category: 'lock',
  source: 'dry-run',
  summary: 'A table rewrite, or a blocking lock held for long, that the dry-run saw and no rule predicted.',
  why: 'The dry-run runs the migration on a real PostgreSQL and reads pg_locks and each table\'s relfilenode: a rewrite (new relfilenode) copies every row under an ACCESS EXCLUSIVE lock, and a SHARE or stronger lock held for seconds blocks writes for as long. When no rule predicted it, the statement does something ddlgate\'s rules do not know; the dry-run\'s evidence is the finding.',
  safe: 'Find out why the statement rewrites or locks the table (a trigger, a rule, a type with a non-binary-coercible cast, a large backfill) and use the safe pattern for that operation, or run it in a maintenance window.',
  // Reported from the dry-run's evidence (src/lint/evidence.ts), never from a statement check.
  kinds: [],
  check: () => [],
};
