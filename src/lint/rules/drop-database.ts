import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'drop-database',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`DROP DATABASE` in a migration.',
  why: 'A whole database and all its data disappear; nothing can roll it back. It also cannot run inside a transaction, and fails while anyone is connected (or, WITH (FORCE), terminates their sessions).',
  safe: 'Drop databases by hand, after a backup, outside the migrations; a migration works inside one database.',
  bad: 'DROP DATABASE analytics;',
  good: '-- not in a migration: pg_dump analytics, then DROP DATABASE by hand',
  kinds: ['DropdbStmt'],
  check(statement) {
    const drop = statement.node.DropdbStmt;
    if (!drop) return [];
    return [{ message: `DROP DATABASE ${drop.dbname ?? ''}: the whole database and its data are lost` }];
  },
};
