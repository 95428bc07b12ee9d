import { stringValue } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedConstraints, alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'set-not-null',
  severity: 'error',
  category: 'constraint',
  summary: '`ALTER COLUMN … SET NOT NULL` on an existing table without a validated `CHECK (col IS NOT NULL)` before it.',
  why: 'SET NOT NULL scans the whole table to prove there is no NULL while holding an ACCESS EXCLUSIVE lock: no read or write proceeds until the scan ends.',
  safe: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration (no blocking lock), then SET NOT NULL: PostgreSQL 12+ uses the validated CHECK instead of scanning, and the CHECK can then be dropped.',
  bad: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  good: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n-- next migration:\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const columns: string[] = [];
    for (const cmd of alter.cmds) if (cmd.subtype === 'AT_SetNotNull' && cmd.name) columns.push(cmd.name);
    for (const constraint of addedConstraints(alter.cmds)) {
      if (constraint.contype === 'CONSTR_NOTNULL' && !constraint.skip_validation) columns.push(...(constraint.keys ?? []).map((k: any) => stringValue(k)).filter(Boolean));
    }
    const hits: RuleHit[] = [];
    for (const column of columns) {
      if (state.schema.column(alter.table, column)?.notNull) continue; // already NOT NULL: nothing to do
      if (state.pgVersion >= 12 && state.hasValidatedNotNullCheck(alter.table, column)) continue;
      const guessed = state.pgVersion >= 12 ? unknownValidatedCheckFor(state, alter.table, column) : undefined;
      if (guessed) {
        hits.push({
          message: `SET NOT NULL on ${alter.name}.${column} relies on constraint ${guessed}, validated earlier but defined where ddlgate cannot see it: if it is CHECK (${column} IS NOT NULL) there is no scan, otherwise the whole table is scanned under an ACCESS EXCLUSIVE lock`,
          severity: 'warning',
          hint: 'Keep the migration that added the CHECK in the directory, or lint with --database-url, so ddlgate can read its definition; the dry-run confirms whether SET NOT NULL scanned.',
        });
        continue;
      }
      const constraintName = `${alter.table.name}_${column}_not_null`;
      const hint =
        state.pgVersion < 12
          ? `PostgreSQL ${state.pgVersion} always scans for SET NOT NULL (the validated-CHECK shortcut arrived in 12): keep a validated CHECK (${column} IS NOT NULL) NOT VALID constraint instead of SET NOT NULL, or run it in a maintenance window.`
          : `ALTER TABLE ${alter.name} ADD CONSTRAINT ${constraintName} CHECK (${column} IS NOT NULL) NOT VALID; then, in a later migration: ALTER TABLE ${alter.name} VALIDATE CONSTRAINT ${constraintName}; ALTER TABLE ${alter.name} ALTER COLUMN ${column} SET NOT NULL; ALTER TABLE ${alter.name} DROP CONSTRAINT ${constraintName}; (a CHECK validated by an earlier migration of this directory is recognised; lint with --database-url to use the real catalog)`;
      hits.push({ message: `SET NOT NULL on ${alter.name}.${column} scans the whole table under an ACCESS EXCLUSIVE lock`, hint });
    }
    return hits;
  },
};

/** A constraint validated before this statement whose definition is unknown, named after the column and NULL. */
function unknownValidatedCheckFor(state: Parameters<Rule['check']>[1], table: { schema?: string; name: string }, column: string): string | undefined {
  const model = state.schema.table(table);
  for (const constraint of model?.constraints.values() ?? []) {
    if (constraint.kind === 'other' && constraint.valid && constraint.name.toLowerCase().includes(column.toLowerCase()) && /null/i.test(constraint.name)) return constraint.name;
  }
  return undefined;
}
