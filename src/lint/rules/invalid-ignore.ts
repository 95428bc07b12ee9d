import type { Rule } from '../types.js';

/** Reported by the engine for a malformed `-- ddlgate-ignore` comment. */
export const rule: Rule = {
  id: 'invalid-ignore',
  severity: 'error',
  category: 'hygiene',
  summary: 'A `-- ddlgate-ignore` comment without a reason, or naming an unknown rule.',
  why: 'A suppression is a decision reviewers must be able to judge: without a reason it silences nothing, and a misspelt rule silently fails to silence what was meant.',
  safe: 'Write `-- ddlgate-ignore <rule>[, <rule>]: <why this is safe here>` on the line just above the statement.',
  bad: '-- ddlgate-ignore drop-column\nALTER TABLE users DROP COLUMN legacy_flag;',
  good: '-- ddlgate-ignore drop-column: unused since release 4.2, no reader left\nALTER TABLE users DROP COLUMN legacy_flag;',
  // Reported by the engine itself, never from a statement check.
  kinds: [],
  check: () => [],
};
