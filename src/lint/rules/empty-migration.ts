import type { Rule } from '../types.js';

/** Reported by the engine for a file without any statement. */
export const rule: Rule = {
  id: 'empty-migration',
  severity: 'error',
  category: 'input',
  summary: 'The migration contains no SQL statement.',
  why: 'An empty or comment-only migration is almost always a mistake (a lost edit, a wrong file); the runner refuses it.',
  safe: 'Write the migration\'s statements, or delete the file.',
  bad: '-- TODO',
  good: 'CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb NOT NULL);',
  // Reported by the engine itself, never from a statement check.
  kinds: [],
  check: () => [],
};
