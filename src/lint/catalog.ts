/**
 * The schema model read from a real database's catalog: the source of truth when one is at hand
 * (`lint --database-url`, the dry-run). Read-only queries on pg_catalog; takes anything with a `query`
 * method (a pg Client) so the linter itself never opens connections.
 */
import { parseRaw } from '../sql/parser.js';
import { notNullColumnsOf } from './ast.js';
import { SchemaModel, type ColumnType, type ConstraintModel, type TableModel } from './schema.js';

export interface Queryable {
  query(sql: string): Promise<{ rows: Array<Record<string, any>> }>;
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const KINDS: Record<string, TableModel['kind']> = { r: 'table', p: 'table', v: 'view', m: 'matview', f: 'foreign', S: 'sequence' };
const CONSTRAINT_KINDS: Record<string, ConstraintModel['kind']> = { c: 'check', f: 'foreign', u: 'unique', p: 'primary', x: 'exclusion', n: 'notnull' };

/** Loads tables, columns, constraints, indexes, types, schemas and function volatility. `tracking`: the ddlgate schema, left out. */
export async function loadCatalogSchema(db: Queryable, options: { tracking?: string } = {}): Promise<SchemaModel> {
  const model = new SchemaModel({ complete: true });
  const skip = (schema: string) => schema === options.tracking;
  const relations = await db.query(`SELECT c.oid::bigint AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p','v','m','f','S') AND ${USER_SCHEMAS}`);
  const byOid = new Map<string, TableModel>();
  for (const row of relations.rows) {
    if (skip(row.schema)) continue;
    const table: TableModel = { ref: { schema: row.schema, name: row.name }, kind: KINDS[row.kind] ?? 'table', isNew: false, columnsKnown: true, columns: new Map(), constraints: new Map() };
    byOid.set(String(row.oid), table);
    model.tables.set(table);
  }
  const columns = await db.query(`SELECT a.attrelid::bigint AS rel, a.attname AS name, a.attnotnull AS notnull, a.atttypmod AS typmod,
      t.typname AS type, t.typtype AS typtype, t.typcategory AS category, e.typname AS element
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f') AND ${USER_SCHEMAS}`);
  for (const row of columns.rows) {
    const table = byOid.get(String(row.rel));
    if (!table) continue;
    const array = row.category === 'A' && row.element;
    table.columns.set(row.name, { name: row.name, notNull: row.notnull === true, type: catalogType(array ? row.element : row.type, Number(row.typmod), !!array) });
  }
  const constraints = await db.query(`SELECT co.conrelid::bigint AS rel, co.conname AS name, co.contype AS kind, co.convalidated AS valid,
      pg_get_constraintdef(co.oid) AS def,
      ARRAY(SELECT a.attname::text FROM unnest(co.conkey) k JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k) AS keys
    FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE co.conrelid <> 0 AND ${USER_SCHEMAS}`);
  for (const row of constraints.rows) {
    const table = byOid.get(String(row.rel));
    if (!table) continue;
    const kind = CONSTRAINT_KINDS[row.kind] ?? 'other';
    const keys = (row.keys ?? []) as string[];
    const notNullColumns = kind === 'check' ? checkNotNullColumns(String(row.def ?? '')) : kind === 'primary' || kind === 'notnull' ? keys : [];
    table.constraints.set(row.name, { name: row.name, kind, valid: row.valid !== false, notNullColumns });
  }
  // The table columns each view or materialized view uses: its rewrite rule's pg_depend entries.
  const dependencies = await db.query(`SELECT DISTINCT r.ev_class::bigint AS view, d.refobjid::bigint AS rel, a.attname AS column
    FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.refobjid <> r.ev_class`);
  for (const row of dependencies.rows) {
    const view = byOid.get(String(row.view));
    const table = byOid.get(String(row.rel));
    if (view && table) (view.dependsOn ??= []).push({ table: table.ref, column: row.column });
  }
  const indexes = await db.query(`SELECT n.nspname AS schema, ic.relname AS name, i.indrelid::bigint AS rel, i.indisvalid AS valid, i.indisunique AS unique,
      ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k WHERE k > 0) AS columns
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${USER_SCHEMAS}`);
  for (const row of indexes.rows) {
    if (skip(row.schema)) continue;
    model.indexes.set({ ref: { schema: row.schema, name: row.name }, table: byOid.get(String(row.rel))?.ref, valid: row.valid === true, unique: row.unique === true, isNew: false, columns: row.columns ?? [] });
  }
  const types = await db.query(`SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind, b.typname AS base, t.typtypmod AS typmod
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_type b ON b.oid = t.typbasetype
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE t.typtype IN ('e','d','c') AND (t.typtype <> 'c' OR c.relkind = 'c') AND ${USER_SCHEMAS}`);
  for (const row of types.rows) {
    if (skip(row.schema)) continue;
    const kind = row.kind === 'e' ? 'enum' : row.kind === 'd' ? 'domain' : 'composite';
    model.types.set({ ref: { schema: row.schema, name: row.name }, kind, isNew: false, ...(row.base ? { base: catalogType(row.base, Number(row.typmod), false) } : {}) });
  }
  const schemas = await db.query(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMAS}`);
  for (const row of schemas.rows) if (!skip(row.name)) model.schemas.set(row.name, { isNew: false });
  // Every function's volatility, built-in or not: with overloads, the most volatile one counts.
  const functions = await db.query(`SELECT proname AS name, max(provolatile) AS volatility FROM pg_proc GROUP BY proname`);
  const VOLATILITY: Record<string, 'immutable' | 'stable' | 'volatile'> = { i: 'immutable', s: 'stable', v: 'volatile' };
  for (const row of functions.rows) model.functions.set(row.name, VOLATILITY[row.volatility] ?? 'volatile');
  return model;
}

/** pg_type name + atttypmod → the model's type (typmod decoded the way each type's typmodout does). */
export function catalogType(name: string, typmod: number, array: boolean): ColumnType {
  let typmods: number[] = [];
  if (typmod >= 0) {
    if (name === 'varchar' || name === 'bpchar') typmods = [typmod - 4];
    else if (name === 'numeric') typmods = [((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff];
    else if (name === 'interval') {
      const precision = typmod & 0xffff;
      typmods = precision === 0xffff ? [] : [precision];
    } else typmods = [typmod];
  }
  return { name, typmods, array };
}

function checkNotNullColumns(definition: string): string[] {
  const match = /^CHECK \((.*)\)( NOT VALID)?$/s.exec(definition);
  if (!match) return [];
  try {
    const select = parseRaw(`SELECT 1 WHERE ${match[1]}`).stmts[0]?.stmt.SelectStmt;
    return notNullColumnsOf(select?.whereClause);
  } catch {
    return [];
  }
}
