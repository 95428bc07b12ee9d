import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'drop-not-null',
  severity: 'info',
  category: 'column',
  summary: '`ALTER COLUMN … DROP NOT NULL` on an existing table.',
  why: 'The change itself is instant, but readers that rely on the column always having a value (application code, reports, exports) start to receive NULLs, and undoing it later needs SET NOT NULL, which scans the table under an ACCESS EXCLUSIVE lock.',
  safe: 'Make sure every reader handles NULL first (deploy the code before the migration); keep the constraint if the column should stay mandatory.',
  bad: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
  good: '-- after every reader handles NULL:\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype === 'AT_DropNotNull') hits.push({ message: `DROP NOT NULL on ${alter.name}.${cmd.name}: readers will start to see NULLs, and restoring the constraint later scans the table under an ACCESS EXCLUSIVE lock` });
    }
    return hits;
  },
};
