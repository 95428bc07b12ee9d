import { LOCK_MODES, rangeVarRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'lock-table',
  severity: 'error',
  category: 'lock',
  summary: '`LOCK TABLE` in a mode that blocks writes (SHARE or stronger; ACCESS EXCLUSIVE by default).',
  why: 'An explicit LOCK TABLE holds the lock until the migration\'s transaction commits: with the default ACCESS EXCLUSIVE mode every read and write on the table waits for the rest of the migration.',
  safe: 'Let each statement take the lock it needs, keep the migration short, and rely on ddlgate\'s lock_timeout and retries; if you really need the lock to order statements, take the weakest mode that works and suppress this rule with the reason.',
  bad: 'LOCK TABLE orders;',
  good: '-- no explicit lock: ALTER TABLE takes what it needs, bounded by lock_timeout',
  kinds: ['LockStmt'],
  check(statement, state) {
    const lock = statement.node.LockStmt;
    if (!lock || (lock.mode ?? 8) < 5) return [];
    const tables = (lock.relations ?? []).map((relation: any) => rangeVarRef(relation.RangeVar)).filter((ref: any) => ref && !state.isNewTable(ref));
    if (tables.length === 0) return [];
    const mode = LOCK_MODES[lock.mode ?? 8];
    return [{ message: `LOCK TABLE ${tables.map(refText).join(', ')} IN ${mode} MODE blocks ${mode === 'ACCESS EXCLUSIVE' ? 'every read and write' : 'every write'} until the migration commits` }];
  },
};
