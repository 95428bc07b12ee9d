import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'validate-in-same-transaction',
  severity: 'error',
  category: 'constraint',
  summary: '`VALIDATE CONSTRAINT` in the same transaction as the `ADD CONSTRAINT … NOT VALID` it validates.',
  why: 'The ADD CONSTRAINT\'s lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE for a foreign key) is held until the transaction commits, so the validation scan runs under it: exactly the outage NOT VALID was meant to avoid.',
  safe: 'Commit the NOT VALID constraint first: put VALIDATE CONSTRAINT in the next migration.',
  bad: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
  good: '-- migration 1:\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n-- migration 2:\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    if (!statement.inTransaction) return [];
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_ValidateConstraint' || !cmd.name) continue;
      const line = state.notValidConstraintInSameTransaction(alter.table, cmd.name, statement.transactionId);
      if (line === undefined) continue;
      hits.push({ message: `VALIDATE CONSTRAINT ${cmd.name} runs in the same transaction as its ADD CONSTRAINT … NOT VALID (line ${line}): the validation scan runs while the ADD's lock on ${alter.name} is still held` });
    }
    return hits;
  },
};
