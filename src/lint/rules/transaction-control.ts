import type { Rule } from '../types.js';

/** Reported by the engine for BEGIN/COMMIT/ROLLBACK that do not wrap the whole file. */
export const rule: Rule = {
  id: 'transaction-control',
  severity: 'error',
  category: 'transaction',
  summary: 'BEGIN, COMMIT or ROLLBACK in the middle of a migration.',
  why: 'ddlgate runs each migration in one transaction (or statement by statement when it must); a COMMIT in the middle would make half of the file permanent even if the rest fails, so the runner refuses the file.',
  safe: 'Remove the statement: ddlgate owns the transaction. Only a BEGIN … COMMIT pair wrapping the whole file is accepted. Split the work into several migrations when parts must commit separately.',
  bad: 'ALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;',
  good: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;',
  // Reported by the engine itself, never from a statement check.
  kinds: [],
  check: () => [],
};
