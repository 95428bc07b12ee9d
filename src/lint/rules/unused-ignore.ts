import type { Rule } from '../types.js';

/** Reported by the engine for a `-- ddlgate-ignore` that silenced nothing. */
export const rule: Rule = {
  id: 'unused-ignore',
  severity: 'warning',
  category: 'hygiene',
  summary: 'A `-- ddlgate-ignore` comment that silences nothing.',
  why: 'A stale suppression (the statement changed, or the comment sits above the wrong statement) hides nothing today but will silently hide a real finding tomorrow.',
  safe: 'Remove the comment, or move it to the line just above the statement it is meant for.',
  bad: '-- ddlgate-ignore drop-table: old table\nCREATE TABLE t (id int);',
  good: 'CREATE TABLE t (id int);',
  // Reported by the engine itself, never from a statement check.
  kinds: [],
  check: () => [],
};
