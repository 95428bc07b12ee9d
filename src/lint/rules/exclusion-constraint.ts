import type { Rule, RuleHit } from '../types.js';
import { addedConstraints, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'exclusion-constraint',
  severity: 'error',
  category: 'constraint',
  summary: 'Exclusion constraint (`EXCLUDE USING …`) added to an existing table.',
  why: 'An exclusion constraint builds its index and checks every row under an ACCESS EXCLUSIVE lock, and unlike UNIQUE there is no USING INDEX path to build it concurrently first.',
  safe: 'Schedule it in a maintenance window on a large table, or create the constraint together with a new table and move the data there; on a small table suppress this rule with a reason.',
  bad: 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
  good: 'CREATE TABLE bookings_v2 (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const constraint of addedConstraints(alter.cmds)) {
      if (constraint.contype !== 'CONSTR_EXCLUSION') continue;
      hits.push({ message: `exclusion constraint${constraint.conname ? ` ${constraint.conname}` : ''} added to existing table ${alter.name}: its index is built and every row checked under an ACCESS EXCLUSIVE lock` });
    }
    return hits;
  },
};
