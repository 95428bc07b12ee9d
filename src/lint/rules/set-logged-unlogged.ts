import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'set-logged-unlogged',
  severity: 'error',
  category: 'lock',
  summary: '`ALTER TABLE … SET LOGGED` / `SET UNLOGGED` on an existing table.',
  why: 'Changing a table\'s persistence rewrites it (and its indexes) into a new file while holding an ACCESS EXCLUSIVE lock; SET LOGGED also writes the whole table to the WAL, which replicas must replay. An UNLOGGED table is emptied after a crash and is not replicated.',
  safe: 'Create a new table with the wanted persistence, copy the data in batches, and swap the tables in a short transaction; or run it in a maintenance window.',
  bad: 'ALTER TABLE events SET LOGGED;',
  good: '-- create events_logged, copy in batches, then swap names in one short transaction',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_SetLogged' && cmd.subtype !== 'AT_SetUnLogged') continue;
      hits.push({ message: `${cmd.subtype === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED'} rewrites ${alter.name} and its indexes under an ACCESS EXCLUSIVE lock` });
    }
    return hits;
  },
};
