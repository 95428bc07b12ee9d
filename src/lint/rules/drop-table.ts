import { nameListRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'drop-table',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`DROP TABLE` of a table that existed before the migration.',
  why: 'The data is gone (a rollback cannot bring it back) and every query or deployed application version still using the table fails; DROP also waits for an ACCESS EXCLUSIVE lock, queueing all traffic on the table behind it.',
  safe: 'Stop using the table in a release first, keep it (or rename it to a *_deprecated name and back it up) for a while, then drop it in a migration marked as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking).',
  bad: 'DROP TABLE legacy_sessions;',
  good: '-- after the release that stopped using it, with --allow-breaking:\nDROP TABLE IF EXISTS legacy_sessions;',
  kinds: ['DropStmt'],
  check(statement, state) {
    const drop = statement.node.DropStmt;
    if (!drop || drop.removeType !== 'OBJECT_TABLE') return [];
    const existing = (drop.objects ?? []).map((object: any) => nameListRef(object.List?.items)).filter((ref: any) => ref && !state.isNewTable(ref) && !(drop.missing_ok && state.schema.complete && !state.schema.table(ref)));
    if (existing.length === 0) return [];
    return [{ message: `DROP TABLE ${existing.map(refText).join(', ')}${drop.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''}: the data is lost and every query still using ${existing.length > 1 ? 'them' : 'it'} fails` }];
  },
};
