import { rangeVarRef, refText } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'detach-partition-not-concurrently',
  severity: 'error',
  category: 'lock',
  summary: '`ALTER TABLE … DETACH PARTITION` without `CONCURRENTLY`.',
  why: 'A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on any partition waits behind it.',
  safe: 'Use DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+), outside a transaction (ddlgate runs such a file statement by statement); if it is interrupted, finish it with DETACH PARTITION … FINALIZE.',
  bad: 'ALTER TABLE events DETACH PARTITION events_2023;',
  good: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      const partition = cmd.def?.PartitionCmd;
      if (cmd.subtype !== 'AT_DetachPartition' || !partition || partition.concurrent || partition.finalize) continue;
      hits.push({
        message: `DETACH PARTITION ${refText(rangeVarRef(partition.name))} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${alter.name}, blocking queries on every partition`,
        ...(state.pgVersion < 14 ? { hint: `PostgreSQL ${state.pgVersion} has no DETACH PARTITION CONCURRENTLY (it arrived in 14): run the detach in a quiet period with a short lock_timeout, or upgrade.` } : {}),
      });
    }
    return hits;
  },
};
