import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'rename-schema',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: 'Rename of an existing schema.',
  why: 'Every query, search_path setting and grant that names the old schema stops working at once.',
  safe: 'Create the new schema and move objects one by one (ALTER … SET SCHEMA) behind views, or mark the migration as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking).',
  bad: 'ALTER SCHEMA reporting RENAME TO analytics;',
  good: '-- with --allow-breaking, once every client uses the new name:\nALTER SCHEMA reporting RENAME TO analytics;',
  kinds: ['RenameStmt'],
  check(statement, state) {
    const rename = statement.node.RenameStmt;
    if (!rename || rename.renameType !== 'OBJECT_SCHEMA' || state.isNewSchema(rename.subname)) return [];
    return [{ message: `schema ${rename.subname} renamed to ${rename.newname}: queries using the old name fail` }];
  },
};
