import { LOCK_MODES } from '../ast.js';
import type { Rule } from '../types.js';
import { alterExistingTable } from './helpers.js';

/** ALTER TABLE subcommands that take no more than SHARE UPDATE EXCLUSIVE (VALIDATE's own lock). */
const LIGHT = new Set(['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_SetOptions', 'AT_ResetOptions', 'AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_ClusterOn', 'AT_DropCluster', 'AT_AttachPartition']);

export const rule: Rule = {
  id: 'validate-with-stronger-lock',
  severity: 'error',
  category: 'constraint',
  summary: '`VALIDATE CONSTRAINT` combined with another subcommand in one `ALTER TABLE` that takes a stronger lock.',
  why: 'One ALTER TABLE takes the strongest lock any of its subcommands needs, for all of them: VALIDATE CONSTRAINT alone needs only SHARE UPDATE EXCLUSIVE (reads and writes continue), but next to ADD COLUMN, DROP COLUMN or another subcommand it scans the whole table under ACCESS EXCLUSIVE, blocking every read and write.',
  safe: 'Run VALIDATE CONSTRAINT as its own ALTER TABLE statement (ideally its own migration) and the other subcommands in another.',
  bad: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk, ADD COLUMN note text;',
  good: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n-- separately:\nALTER TABLE orders ADD COLUMN note text;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const validate = alter.cmds.find((cmd) => cmd.subtype === 'AT_ValidateConstraint');
    if (!validate) return [];
    const heavy = alter.cmds.find((cmd) => !LIGHT.has(cmd.subtype));
    if (!heavy) return [];
    const what = heavy.subtype.replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    return [{ message: `VALIDATE CONSTRAINT ${validate.name} shares its ALTER TABLE with ${what}: the validation scan of ${alter.name} runs under ${LOCK_MODES[8]} instead of SHARE UPDATE EXCLUSIVE, blocking reads and writes` }];
  },
};
