import { nameListRef, rangeVarRef, refText, stringValue, visit, type Node } from '../ast.js';
import type { TableModel } from '../schema.js';
import type { MigrationState, RelationRef, Rule, RuleHit } from '../types.js';

export const rule: Rule = {
  id: 'statement-fails',
  severity: 'error',
  category: 'input',
  summary: 'A statement PostgreSQL will reject, judged against the schema the earlier statements and migrations built: a column that does not exist, an object created twice, a NOT NULL check on a column just added empty, `ON COMMIT` on a permanent table, dropping (without CASCADE) or changing the type of a column a view uses.',
  why: 'The migration fails when it is deployed (and, run statement by statement, may stop half way). ddlgate knows the columns of tables created by this or earlier migrations, so it can tell before PostgreSQL does.',
  safe: 'Fix the statement: name existing columns, create each object once (or IF NOT EXISTS), backfill a new column before requiring it to be NOT NULL; for a column a view uses, drop the view, change the column and create the view again in the same migration.',
  bad: 'CREATE TABLE books (id bigint PRIMARY KEY, title text);\nALTER TABLE books ADD CONSTRAINT books_price_positive CHECK (price > 0);',
  good: 'CREATE TABLE books (id bigint PRIMARY KEY, title text, price numeric);\nALTER TABLE books ADD CONSTRAINT books_price_positive CHECK (price > 0);',
  kinds: ['CreateStmt', 'IndexStmt', 'AlterTableStmt'],
  check(statement, state) {
    const node = statement.node;
    if (!node.CreateStmt && !node.IndexStmt && !node.AlterTableStmt) return [];
    const hits: RuleHit[] = [];
    const schema = state.schema;
    if (node.CreateStmt) {
      const stmt = node.CreateStmt;
      const ref = rangeVarRef(stmt.relation);
      if (stmt.oncommit && stmt.oncommit !== 'ONCOMMIT_NOOP' && stmt.relation?.relpersistence !== 't') {
        hits.push({ message: `ON COMMIT is only allowed on temporary tables: PostgreSQL rejects CREATE TABLE ${refText(ref)}` });
      }
      const existing = schema.table(ref);
      if (ref && existing && !stmt.if_not_exists && existing.kind === 'table' && sameSchema(existing.ref, ref) && (existing.isNew || schema.complete)) {
        hits.push({ message: `table ${refText(ref)} already exists (${existing.isNew ? 'created earlier in this change' : 'created by an earlier migration'}): PostgreSQL rejects CREATE TABLE` });
      }
      return hits;
    }
    if (node.IndexStmt?.idxname && !node.IndexStmt.if_not_exists) {
      const schemaName = node.IndexStmt.relation?.schemaname as string | undefined;
      const existing = schema.index(schemaName ? { schema: schemaName, name: node.IndexStmt.idxname } : { name: node.IndexStmt.idxname });
      if (existing && (existing.isNew || schema.complete)) hits.push({ message: `index ${node.IndexStmt.idxname} already exists: PostgreSQL rejects CREATE INDEX` });
    }
    if (node.IndexStmt) {
      const table = known(state, rangeVarRef(node.IndexStmt.relation));
      if (table) for (const column of referencedColumns(node.IndexStmt.indexParams, [])) missing(table, column, hits);
    }
    if (node.AlterTableStmt && node.AlterTableStmt.objtype === 'OBJECT_TABLE') {
      const ref = rangeVarRef(node.AlterTableStmt.relation);
      // The table is looked up once: the model does not change while one statement is checked.
      const model = schema.table(ref);
      const table = knownColumns(model);
      // Most ALTER TABLEs neither add columns nor drop constraints: the sets are made when needed.
      let added: Set<string> | undefined;
      let dropped: Set<string> | undefined;
      for (const item of (node.AlterTableStmt.cmds ?? []) as Node[]) {
        const cmd = item.AlterTableCmd;
        if (!cmd) continue;
        if (cmd.subtype === 'AT_DropConstraint' && cmd.name) (dropped ??= new Set()).add(cmd.name);
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef?.colname) {
          const name = cmd.def.ColumnDef.colname as string;
          if (table?.columns.has(name) && !cmd.missing_ok) hits.push({ message: `column ${name} already exists in ${refText(table.ref)}: PostgreSQL rejects ADD COLUMN` });
          (added ??= new Set()).add(name);
          continue;
        }
        if (table && cmd.name && COLUMN_COMMANDS.has(cmd.subtype) && !added?.has(cmd.name)) missing(table, cmd.name, hits);
        if (table && cmd.subtype === 'AT_DropColumn' && cmd.name && !cmd.missing_ok) missing(table, cmd.name, hits);
        if (ref && cmd.name && (cmd.subtype === 'AT_AlterColumnType' || (cmd.subtype === 'AT_DropColumn' && cmd.behavior !== 'DROP_CASCADE'))) usedByViews(state, ref, cmd, hits);
        const constraint = cmd.def?.Constraint;
        if (cmd.subtype === 'AT_AddConstraint' && constraint) {
          // DROP CONSTRAINT x, ADD CONSTRAINT x … in one ALTER (a swap) frees the name first.
          const existing = constraint.conname && !dropped?.has(constraint.conname) ? model?.constraints.get(constraint.conname) : undefined;
          if (existing) hits.push({ message: `constraint ${constraint.conname} already exists on ${refText(ref)}: PostgreSQL rejects ADD CONSTRAINT` });
          if (table) {
            const columns: string[] = [];
            for (const key of (constraint.keys ?? []) as Node[]) columns.push(stringValue(key) ?? '');
            referencedColumns(constraint.raw_expr, columns);
            referencedColumns(constraint.exclusions, columns);
            for (const column of columns) if (column && !added?.has(column)) missing(table, column, hits);
          }
          if (constraint.contype === 'CONSTR_CHECK' && !constraint.skip_validation) emptyColumnCheck(model, notNullColumns(constraint.raw_expr), hits, 'CHECK');
        }
        if (cmd.subtype === 'AT_SetNotNull' && cmd.name) emptyColumnCheck(model, [cmd.name], hits, 'SET NOT NULL');
        if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
          const validated = model?.constraints.get(cmd.name);
          if (validated) emptyColumnCheck(model, validated.notNullColumns, hits, `VALIDATE CONSTRAINT ${cmd.name}`);
        }
      }
    }
    return dedupe(hits);
  },
};

/** PostgreSQL refuses to change the type of, or drop without CASCADE, a column a view or materialized view uses. */
function usedByViews(state: MigrationState, ref: RelationRef, cmd: Node, hits: RuleHit[]): void {
  const views = state.schema.viewsUsing(ref, cmd.name);
  if (views.length === 0) return;
  const names = views.map((view) => `${view.kind === 'matview' ? 'materialized view' : 'view'} ${refText(view.ref)}`).join(', ');
  if (cmd.subtype === 'AT_AlterColumnType') {
    hits.push({ message: `column ${cmd.name} of ${refText(ref)} is used by ${names}: PostgreSQL rejects changing its type ("cannot alter type of a column used by a view or rule")`, hint: `Drop ${names}, change the type, and create the view again in the same migration.`, table: ref });
  } else {
    hits.push({ message: `column ${cmd.name} of ${refText(ref)} is used by ${names}: PostgreSQL rejects DROP COLUMN without CASCADE (and CASCADE drops the view too)`, hint: `Drop or redefine ${names} first (without the column), then drop the column.`, table: ref });
  }
}

/** ALTER TABLE commands on an existing column (named by cmd.name). */
const COLUMN_COMMANDS = new Set(['AT_AlterColumnType', 'AT_SetNotNull', 'AT_DropNotNull', 'AT_ColumnDefault', 'AT_SetStatistics']);

function sameSchema(a: RelationRef, b: RelationRef): boolean {
  return (a.schema ?? 'public') === (b.schema ?? 'public');
}

/** A table whose columns ddlgate knows (created with an explicit column list in this change or the history). */
function known(state: MigrationState, ref: RelationRef | undefined): TableModel | undefined {
  return knownColumns(state.schema.table(ref));
}

function knownColumns(table: TableModel | undefined): TableModel | undefined {
  return table && table.kind === 'table' && table.columnsKnown ? table : undefined;
}

function missing(table: TableModel, column: string, hits: RuleHit[]): void {
  if (SYSTEM_COLUMNS.has(column) || table.columns.has(column)) return;
  hits.push({ message: `column ${column} does not exist in ${refText(table.ref)} (its columns: ${[...table.columns.keys()].join(', ') || 'none'}): PostgreSQL rejects the statement`, table: table.ref });
}

const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'oid']);

/** Adds the columns a tree names (index elements, unqualified column references) to `columns`; returns it. */
function referencedColumns(node: unknown, columns: string[]): string[] {
  if (!node) return columns;
  visit(node, (value) => {
    if (value.IndexElem?.name) columns.push(value.IndexElem.name);
    const fields = value.ColumnRef?.fields as Node[] | undefined;
    if (fields?.length === 1) {
      const name = stringValue(fields[0]);
      if (name && name !== 'value') columns.push(name);
    }
  });
  return columns;
}

function notNullColumns(expr: Node | undefined): string[] {
  if (expr?.NullTest?.nulltesttype === 'IS_NOT_NULL') {
    const fields = expr.NullTest.arg?.ColumnRef?.fields ?? [];
    const name = stringValue(fields[fields.length - 1]);
    return name ? [name] : [];
  }
  if (expr?.BoolExpr?.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).flatMap((arg: Node) => notNullColumns(arg));
  return [];
}

/** A column added empty by this migration cannot pass a NOT NULL check on a table (the statement's, as the model knows it) that has rows. */
function emptyColumnCheck(table: TableModel | undefined, columns: string[], hits: RuleHit[], what: string): void {
  if (!table || table.isNew) return;
  for (const column of columns) {
    if (table.columns.get(column)?.allNull) {
      hits.push({ message: `${what} requires ${column} to be non-NULL, but ${column} was just added to existing table ${refText(table.ref)} without a default and not backfilled: on any table with rows PostgreSQL rejects it`, table: table.ref });
    }
  }
}

function dedupe(hits: RuleHit[]): RuleHit[] {
  if (hits.length < 2) return hits;
  const seen = new Set<string>();
  return hits.filter((hit) => (seen.has(hit.message) ? false : (seen.add(hit.message), true)));
}

void nameListRef;
