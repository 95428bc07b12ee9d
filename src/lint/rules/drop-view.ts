import { nameListRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'drop-view',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`DROP VIEW` / `DROP MATERIALIZED VIEW` of a view that existed before the migration.',
  why: 'Every query and deployed application version still reading the view fails at once; a materialized view also loses its data (rebuilding it means re-running the whole query). DROP waits for an ACCESS EXCLUSIVE lock on the view, queueing its readers behind it.',
  safe: 'Stop reading the view in a release first, then drop it in a migration marked as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking). To change a view\'s definition keep its columns and use CREATE OR REPLACE VIEW.',
  bad: 'DROP VIEW active_users;',
  good: 'CREATE OR REPLACE VIEW active_users AS SELECT id, email, last_seen FROM users WHERE active;',
  kinds: ['DropStmt'],
  check(statement, state) {
    const drop = statement.node.DropStmt;
    if (!drop || (drop.removeType !== 'OBJECT_VIEW' && drop.removeType !== 'OBJECT_MATVIEW')) return [];
    const kind = drop.removeType === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'VIEW';
    const existing = (drop.objects ?? []).map((object: any) => nameListRef(object.List?.items)).filter((ref: any) => ref && !state.isNewTable(ref) && !(drop.missing_ok && state.schema.complete && !state.schema.table(ref)));
    if (existing.length === 0) return [];
    return [{ message: `DROP ${kind} ${existing.map(refText).join(', ')}: every query still reading ${existing.length > 1 ? 'them' : 'it'} fails`, table: existing[0] }];
  },
};
