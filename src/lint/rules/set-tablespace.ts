import { rangeVarRef, refText } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';

export const rule: Rule = {
  id: 'set-tablespace',
  severity: 'error',
  category: 'lock',
  summary: '`ALTER TABLE/INDEX … SET TABLESPACE` (or `ALL IN TABLESPACE`).',
  why: 'Moving a table or index copies every block to the new tablespace while holding an ACCESS EXCLUSIVE lock: nothing can read or write it for the whole copy.',
  safe: 'Use pg_repack --tablespace to move a table online; for an index, CREATE INDEX CONCURRENTLY … TABLESPACE … and drop the old one concurrently.',
  bad: 'ALTER TABLE events SET TABLESPACE fast_ssd;',
  good: '-- pg_repack --table=events --tablespace=fast_ssd (outside the migration)',
  kinds: ['AlterTableMoveAllStmt', 'AlterTableStmt'],
  check(statement, state) {
    const node = statement.node;
    if (node.AlterTableMoveAllStmt) {
      return [{ message: `ALTER … ALL IN TABLESPACE ${node.AlterTableMoveAllStmt.orig_tablespacename} moves every object under ACCESS EXCLUSIVE locks` }];
    }
    const stmt = node.AlterTableStmt;
    if (!stmt) return [];
    const target = rangeVarRef(stmt.relation);
    if (!target || (stmt.objtype === 'OBJECT_INDEX' ? state.isNewIndex(target) : state.isNewTable(target))) return [];
    const hits: RuleHit[] = [];
    for (const cmd of stmt.cmds ?? []) {
      if (cmd.AlterTableCmd?.subtype === 'AT_SetTableSpace') {
        hits.push({ message: `SET TABLESPACE ${cmd.AlterTableCmd.name} copies ${stmt.objtype === 'OBJECT_INDEX' ? 'index' : 'table'} ${refText(target)} under an ACCESS EXCLUSIVE lock` });
      }
    }
    return hits;
  },
};
