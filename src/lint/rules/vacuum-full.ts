import { rangeVarRef, refText } from '../ast.js';
import { isVacuumFull } from '../locks.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'vacuum-full',
  severity: 'error',
  category: 'lock',
  summary: '`VACUUM FULL` in a migration.',
  why: 'VACUUM FULL rewrites the table into a new file while holding an ACCESS EXCLUSIVE lock: no read or write proceeds for the whole copy, and it needs disk space for a second copy of the table.',
  safe: 'Use plain VACUUM (no blocking lock), or pg_repack / pg_squeeze to reclaim space online; schedule VACUUM FULL only in a maintenance window, not in a migration.',
  bad: 'VACUUM FULL events;',
  good: 'VACUUM (ANALYZE) events;',
  kinds: ['VacuumStmt'],
  check(statement, state) {
    const vacuum = statement.node.VacuumStmt;
    if (!vacuum || !vacuum.is_vacuumcmd || !isVacuumFull(vacuum)) return [];
    const tables = (vacuum.rels ?? []).map((rel: any) => rangeVarRef(rel.VacuumRelation?.relation)).filter(Boolean);
    if (tables.length > 0 && tables.every((ref: any) => state.isNewTable(ref))) return [];
    const what = tables.length ? tables.map(refText).join(', ') : 'every table of the database';
    return [{ message: `VACUUM FULL rewrites ${what} under an ACCESS EXCLUSIVE lock` }];
  },
};
