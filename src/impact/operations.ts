/**
 * What the blocking part of each lint finding is, for the impact model: which operation runs while
 * the lock is held, and what the lock blocks. Data only. A rule not listed here is not about a lock on
 * a table (syntax, hygiene, transaction structure …) and gets no impact.
 */
import type { Operation } from './estimate.js';

export interface RuleImpact {
  operation: Operation;
  blocks: 'reads and writes' | 'writes';
  /** Breaking changes keep their severity whatever the table's size (the size is still shown). */
  keepsSeverity?: boolean;
  /** Words for the operation in a message. */
  what: string;
}

export const RULE_IMPACT: Readonly<Record<string, RuleImpact>> = {
  'change-column-type': { operation: 'rewrite', blocks: 'reads and writes', what: 'table rewrite' },
  'add-column-volatile-default': { operation: 'rewrite', blocks: 'reads and writes', what: 'table rewrite' },
  'add-column-stored-generated': { operation: 'rewrite', blocks: 'reads and writes', what: 'table rewrite' },
  'set-tablespace': { operation: 'rewrite', blocks: 'reads and writes', what: 'table copy' },
  'vacuum-full': { operation: 'rewrite', blocks: 'reads and writes', what: 'table rewrite' },
  cluster: { operation: 'rewrite', blocks: 'reads and writes', what: 'table rewrite' },
  'refresh-materialized-view': { operation: 'rewrite', blocks: 'reads and writes', what: 'materialized view refill' },
  'set-not-null': { operation: 'scan', blocks: 'reads and writes', what: 'validating scan' },
  'check-without-not-valid': { operation: 'scan', blocks: 'reads and writes', what: 'validating scan' },
  'foreign-key-without-not-valid': { operation: 'scan', blocks: 'writes', what: 'validating scan' },
  'validate-in-same-transaction': { operation: 'scan', blocks: 'reads and writes', what: 'validating scan' },
  'create-index-not-concurrently': { operation: 'index build', blocks: 'writes', what: 'index build' },
  'unique-constraint-without-index': { operation: 'index build', blocks: 'reads and writes', what: 'index build' },
  'exclusion-constraint': { operation: 'index build', blocks: 'reads and writes', what: 'index build' },
  'reindex-not-concurrently': { operation: 'index build', blocks: 'writes', what: 'index rebuild' },
  'drop-index-not-concurrently': { operation: 'lock', blocks: 'reads and writes', what: 'lock' },
  'detach-partition-not-concurrently': { operation: 'lock', blocks: 'reads and writes', what: 'lock' },
  'lock-table': { operation: 'lock', blocks: 'reads and writes', what: 'lock' },
  'statements-after-access-exclusive': { operation: 'lock', blocks: 'reads and writes', what: 'lock' },
  // Breaking or data-changing: shown with the table's size, never downgraded.
  'update-without-where': { operation: 'rewrite', blocks: 'writes', what: 'update of every row', keepsSeverity: true },
  'delete-without-where': { operation: 'scan', blocks: 'writes', what: 'delete of every row', keepsSeverity: true },
  truncate: { operation: 'lock', blocks: 'reads and writes', what: 'lock', keepsSeverity: true },
  'drop-table': { operation: 'lock', blocks: 'reads and writes', what: 'lock', keepsSeverity: true },
  'drop-column': { operation: 'lock', blocks: 'reads and writes', what: 'lock', keepsSeverity: true },
  'rename-column': { operation: 'lock', blocks: 'reads and writes', what: 'lock', keepsSeverity: true },
  'rename-table': { operation: 'lock', blocks: 'reads and writes', what: 'lock', keepsSeverity: true },
};
