import type { Rule } from '../types.js';

/** Reported by the engine when the file (or a PL/pgSQL body it runs) does not parse. */
export const rule: Rule = {
  id: 'syntax',
  severity: 'error',
  category: 'input',
  summary: 'The file, or a DO block or function body it runs, is not valid PostgreSQL.',
  why: 'PostgreSQL rejects the migration when it runs; nothing after the error is checked by the other rules either.',
  safe: 'Fix the SQL at the reported position (ddlgate uses the PostgreSQL 18 parser; psql meta-commands such as \\i are not SQL).',
  bad: 'ALTER TABLE users ADD COLUMN;',
  good: 'ALTER TABLE users ADD COLUMN nickname text;',
  // Reported by the engine itself, never from a statement check.
  kinds: [],
  check: () => [],
};
