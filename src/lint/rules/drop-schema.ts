import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'drop-schema',
  severity: 'error',
  category: 'breaking',
  breaking: true,
  summary: '`DROP SCHEMA` of a schema that existed before the migration.',
  why: 'Everything in the schema (with CASCADE: every table, view and function in it) is dropped with its data, and every query using it fails.',
  safe: 'Drop the objects one by one once nothing uses them, then the empty schema, in a migration marked as breaking (ALLOW_BREAKING_MIGRATIONS=true / --allow-breaking).',
  bad: 'DROP SCHEMA reporting CASCADE;',
  good: '-- with --allow-breaking, once empty:\nDROP SCHEMA IF EXISTS reporting;',
  kinds: ['DropStmt'],
  check(statement, state) {
    const drop = statement.node.DropStmt;
    if (!drop || drop.removeType !== 'OBJECT_SCHEMA') return [];
    const names = (drop.objects ?? []).map((object: any) => object.String?.sval).filter((name: string | undefined) => name && !state.isNewSchema(name));
    if (names.length === 0) return [];
    return [{ message: `DROP SCHEMA ${names.join(', ')}${drop.behavior === 'DROP_CASCADE' ? ' CASCADE drops every object in it' : ''}: its objects and data are lost and queries using them fail` }];
  },
};
