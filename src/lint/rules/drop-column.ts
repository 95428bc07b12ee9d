import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'drop-column',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`ALTER TABLE … DROP COLUMN` on an existing table.',
  why: 'The running application (and any version still deployed during a rolling deploy) selects, inserts or maps the column: its queries fail as soon as the column is gone, and the data cannot be recovered by a rollback.',
  safe: 'Release code that no longer reads or writes the column (ignore it in the ORM) first, then drop it in a later migration marked as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking).',
  bad: 'ALTER TABLE users DROP COLUMN legacy_flag;',
  good: '-- after the release that stopped using it, with --allow-breaking:\nALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_DropColumn') continue;
      // With CASCADE the views that use the column go too: queries on them fail as well.
      const views = cmd.behavior === 'DROP_CASCADE' && cmd.name ? state.schema.viewsUsing(alter.table, cmd.name) : [];
      const also = views.length ? `; CASCADE also drops ${views.map((view) => `${view.kind === 'matview' ? 'materialized view' : 'view'} ${view.ref.name}`).join(', ')}` : '';
      hits.push({ message: `DROP COLUMN ${alter.name}.${cmd.name}: queries still using the column fail and its data is lost${also}` });
    }
    return hits;
  },
};
