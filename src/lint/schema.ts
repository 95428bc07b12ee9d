/**
 * The schema model the linter judges against: the objects that exist before a statement runs (tables,
 * columns with type, typmod and nullability, indexes with validity, constraints with validity, domains and
 * the columns that use them, views, materialized views, enums, sequences).
 *
 * Built offline from the parse trees of earlier migrations (`applyStatement`, in order), or loaded from a
 * real catalog (src/lint/catalog.ts) when a database is at hand. Objects created by a migration that is
 * still pending (this file, or an earlier migration of the same change) are marked `isNew`: nothing in
 * production uses them yet, so the lock rules leave them alone.
 */
import { nameListRef, rangeVarRef, notNullColumnsOf, stringValue, type Node } from './ast.js';
import type { RelationRef } from './types.js';
import { viewShape, type ViewDependency } from './view-columns.js';

export interface ColumnType {
  /** Canonical name as in pg_type (`int4`, `varchar`, `timestamptz`, `citext`, `public.my_domain` → `my_domain`). */
  name: string;
  /** Type modifiers as written (`varchar(20)` → [20], `numeric(10,5)` → [10, 5], `interval(3)` → [3]). */
  typmods: number[];
  array: boolean;
}

export interface ColumnModel {
  name: string;
  type: ColumnType;
  notNull: boolean;
  /**
   * Added to an existing table by this migration without a default and not written since: every existing
   * row holds NULL in it (a NOT NULL check on it fails on any non-empty table).
   */
  allNull?: boolean;
}

export interface ConstraintModel {
  name: string;
  kind: 'check' | 'notnull' | 'foreign' | 'unique' | 'primary' | 'exclusion' | 'other';
  valid: boolean;
  /** Columns the constraint proves non-null (CHECK (col IS NOT NULL), NOT NULL, PRIMARY KEY). */
  notNullColumns: string[];
}

export type RelationKind = 'table' | 'view' | 'matview' | 'foreign' | 'sequence';

export interface TableModel {
  ref: RelationRef;
  kind: RelationKind;
  isNew: boolean;
  /** False when the columns are not known (CREATE TABLE … AS, a view): column lookups then say "unknown". */
  columnsKnown: boolean;
  columns: Map<string, ColumnModel>;
  constraints: Map<string, ConstraintModel>;
  /** A view or materialized view: the table columns its query uses (PostgreSQL's pg_depend entries). */
  dependsOn?: ViewDependency[];
}

export interface IndexModel {
  ref: RelationRef;
  table: RelationRef | undefined;
  valid: boolean;
  unique: boolean;
  isNew: boolean;
  columns: string[];
}

export interface TypeModel {
  ref: RelationRef;
  kind: 'enum' | 'domain' | 'composite';
  isNew: boolean;
  /** For a domain: its base type. */
  base?: ColumnType;
}

const isView = (relation: TableModel) => relation.kind === 'view' || relation.kind === 'matview';

/** A relation or type registry looked up by name, schema-qualified or not. */
class Registry<T extends { ref: RelationRef; isNew: boolean }> {
  private readonly byName = new Map<string, T[]>();
  /** Items `keptApart` selects (the views among the relations): lookups by what they use scan only these. */
  private readonly apart = new Set<T>();

  constructor(private readonly keptApart: (item: T) => boolean = () => false) {}
  /** Items stored while new: the only ones settle() has to visit (a directory's model grows to thousands of objects). */
  fresh: T[] = [];

  get(ref: RelationRef | undefined): T | undefined {
    if (!ref) return undefined;
    const list = this.byName.get(ref.name);
    if (!list) return undefined;
    const schema = ref.schema;
    // Rules look relations up several times per statement: the unqualified, single-object case returns at once.
    if (!schema) return list[list.length - 1];
    for (let i = list.length - 1; i >= 0; i--) {
      const item = list[i]!;
      if (!item.ref.schema || schema === item.ref.schema) return item;
    }
    return undefined;
  }

  set(item: T): void {
    this.delete(item.ref);
    if (item.isNew) this.fresh.push(item);
    if (this.keptApart(item)) this.apart.add(item);
    const list = this.byName.get(item.ref.name);
    if (list) list.push(item);
    else this.byName.set(item.ref.name, [item]);
  }

  delete(ref: RelationRef | undefined): T | undefined {
    const found = this.get(ref);
    if (!found || !ref) return undefined;
    const list = this.byName.get(ref.name)!;
    list.splice(list.indexOf(found), 1);
    this.apart.delete(found);
    return found;
  }

  values(): T[] {
    // A loop, not [...].flat(): settle() and index lookups call this once per migration on large models.
    const all: T[] = [];
    for (const list of this.byName.values()) for (const item of list) all.push(item);
    return all;
  }

  /** How many items are kept apart (see `apart`). */
  get keptApartCount(): number {
    return this.apart.size;
  }

  /** The items kept apart (see `apart`). */
  keptApartValues(): T[] {
    return [...this.apart];
  }

  clone(copy: (item: T) => T): Registry<T> {
    const next = new Registry<T>(this.keptApart);
    for (const [name, list] of this.byName) next.byName.set(name, list.map((item) => {
      const copied = copy(item);
      if (copied.isNew) next.fresh.push(copied);
      if (next.keptApart(copied)) next.apart.add(copied);
      return copied;
    }));
    return next;
  }

  /** Marks every item stored while new as no longer new; returns them. */
  settle(): T[] {
    const settled = this.fresh;
    for (const item of settled) item.isNew = false;
    this.fresh = [];
    return settled;
  }
}

/** Type names as written → pg_type names (a Map: names come from migrations, and an object would answer `constructor`). */
const TYPE_ALIASES = new Map<string, string>([
  ['int', 'int4'],
  ['integer', 'int4'],
  ['bigint', 'int8'],
  ['smallint', 'int2'],
  ['serial', 'int4'],
  ['serial4', 'int4'],
  ['bigserial', 'int8'],
  ['serial8', 'int8'],
  ['smallserial', 'int2'],
  ['serial2', 'int2'],
  ['decimal', 'numeric'],
  ['boolean', 'bool'],
  ['real', 'float4'],
  ['float', 'float8'],
  ['double precision', 'float8'],
  ['character varying', 'varchar'],
  ['character', 'bpchar'],
  ['char', 'bpchar'],
  ['timestamp without time zone', 'timestamp'],
  ['timestamp with time zone', 'timestamptz'],
  ['time without time zone', 'time'],
  ['time with time zone', 'timetz'],
  ['bit varying', 'varbit'],
]);

/** The canonical type of a TypeName node. */
export function columnTypeOf(typeName: Node | undefined): ColumnType {
  const names = (typeName?.names ?? []) as Node[];
  const raw = (stringValue(names[names.length - 1]) ?? '').toLowerCase();
  let name = TYPE_ALIASES.get(raw) ?? raw;
  let typmods: number[] = [];
  for (const mod of (typeName?.typmods ?? []) as Node[]) if (mod.A_Const) typmods.push(Number(mod.A_Const.ival?.ival ?? 0));
  // interval(3) is parsed as (INTERVAL_FULL_RANGE, 3); keep only the precision.
  if (name === 'interval' && typmods.length === 2 && typmods[0] === 32767) typmods = [typmods[1]!];
  if (name === 'interval' && typmods.length === 1 && typmods[0] === 32767) typmods = [];
  // bpchar without a length is char(1).
  if (name === 'bpchar' && typmods.length === 0 && stringValue(names[0]) === 'pg_catalog') typmods = [1];
  if (name === 'float8' && typmods.length === 1) name = typmods[0]! <= 24 ? 'float4' : 'float8';
  if (name === 'float8' || name === 'float4') typmods = [];
  const array = Array.isArray(typeName?.arrayBounds) && typeName.arrayBounds.length > 0;
  return internedType(name, typmods, array);
}

/**
 * One shared (frozen) object per distinct type: a directory's model holds thousands of columns of a few
 * types, and every object the model keeps is copied by the garbage collector while it is young. Looked up by
 * name, then by modifiers without building a string for the common cases (none, or one and no array).
 */
const INTERNED_TYPES = new Map<string, Map<string | number, ColumnType>>();
let internedCount = 0;

function internedType(name: string, typmods: number[], array: boolean): ColumnType {
  // '' and '[]': no modifiers; a number: one modifier, not an array; otherwise the modifiers as text (starts with a digit or '-').
  const modsKey = typmods.length === 0 ? (array ? '[]' : '') : typmods.length === 1 && !array ? typmods[0]! : `${typmods.join(',')}${array ? '[]' : ''}`;
  let byMods = INTERNED_TYPES.get(name);
  let type = byMods?.get(modsKey);
  if (type) return type;
  if (internedCount >= 10_000) {
    INTERNED_TYPES.clear();
    internedCount = 0;
    byMods = undefined;
  }
  if (!byMods) {
    byMods = new Map();
    INTERNED_TYPES.set(name, byMods);
  }
  type = Object.freeze({ name, typmods: Object.freeze(typmods) as number[], array });
  byMods.set(modsKey, type);
  internedCount++;
  return type;
}

export function typeText(type: ColumnType): string {
  return `${type.name}${type.typmods.length ? `(${type.typmods.join(',')})` : ''}${type.array ? '[]' : ''}`;
}

export function isSerialType(typeName: Node | undefined): boolean {
  const names = (typeName?.names ?? []) as Node[];
  return /^(small|big)?serial[248]?$/i.test(stringValue(names[names.length - 1]) ?? '');
}

export interface ApplyContext {
  /** Objects created now belong to a pending migration (new: no lock findings). */
  pending: boolean;
}

export class SchemaModel {
  // Views are kept apart: a column change asks which views use the column, once per statement, and a
  // directory's model holds thousands of tables but few views.
  tables = new Registry<TableModel>(isView);
  indexes = new Registry<IndexModel>();
  types = new Registry<TypeModel>();
  schemas = new Map<string, { isNew: boolean }>();
  /** Tables given a column that every existing row holds NULL in (`allNull`), since the last settle(). */
  private allNullTables: TableModel[] = [];
  /** Functions created by earlier migrations or this one: name → volatility (PostgreSQL's default is volatile). */
  functions = new Map<string, 'immutable' | 'stable' | 'volatile'>();
  /**
   * Whether absence means "does not exist": true for a catalog, and for a history of earlier migrations
   * (the directory is the database's story). False for a lone file: an unknown table may well exist.
   */
  complete: boolean;
  /** PostgreSQL session TimeZone set by the migration (`SET [LOCAL] timezone = 'UTC'`), when known. */
  timezone: string | undefined;

  constructor(options: { complete?: boolean } = {}) {
    this.complete = options.complete ?? false;
  }

  clone(): SchemaModel {
    const next = new SchemaModel({ complete: this.complete });
    next.tables = this.tables.clone((t) => ({ ...t, columns: new Map([...t.columns].map(([k, c]) => [k, { ...c }])), constraints: new Map([...t.constraints].map(([k, c]) => [k, { ...c }])) }));
    next.indexes = this.indexes.clone((i) => ({ ...i }));
    next.types = this.types.clone((t) => ({ ...t }));
    next.schemas = new Map([...this.schemas].map(([k, v]) => [k, { ...v }]));
    next.functions = new Map(this.functions);
    next.timezone = undefined;
    for (const table of next.tables.values()) for (const column of table.columns.values()) if (column.allNull) next.allNullTables.push(table);
    return next;
  }

  /**
   * An applied migration: what it created is no longer new, and the columns it added hold whatever the
   * migration wrote. Visits only what changed since the last settle, so a directory's model is settled in
   * time proportional to each migration, not to everything before it.
   */
  settle(): void {
    this.tables.settle();
    this.indexes.settle();
    this.types.settle();
    for (const table of this.allNullTables) for (const column of table.columns.values()) column.allNull = false;
    this.allNullTables = [];
    for (const entry of this.schemas.values()) entry.isNew = false;
  }

  table(ref: RelationRef | undefined): TableModel | undefined {
    return this.tables.get(ref);
  }

  column(ref: RelationRef | undefined, column: string): ColumnModel | undefined {
    return this.tables.get(ref)?.columns.get(column);
  }

  index(ref: RelationRef | undefined): IndexModel | undefined {
    return this.indexes.get(ref);
  }

  /** Columns (table, column) whose type is the domain. */
  domainUses(domain: RelationRef): Array<{ table: TableModel; column: string }> {
    const uses: Array<{ table: TableModel; column: string }> = [];
    for (const table of this.tables.values()) {
      for (const column of table.columns.values()) if (column.type.name === domain.name) uses.push({ table, column: column.name });
    }
    return uses;
  }

  hasValidatedNotNull(ref: RelationRef, column: string): boolean {
    const table = this.tables.get(ref);
    if (!table) return false;
    if (table.columns.get(column)?.notNull) return true;
    for (const constraint of table.constraints.values()) if (constraint.valid && constraint.notNullColumns.includes(column)) return true;
    return false;
  }

  /** Updates the model with one statement (top-level or from a body). Never throws on odd trees. */
  apply(node: Node, context: ApplyContext): void {
    const isNew = context.pending;
    // A statement node has one key, its kind: one switch instead of a property test per kind.
    let kind = '';
    for (const key in node) {
      kind = key;
      break;
    }
    switch (kind) {
      case 'CreateStmt':
        this.createTable(node.CreateStmt, isNew);
        break;
      case 'CreateTableAsStmt': {
        const ref = rangeVarRef(node.CreateTableAsStmt.into?.rel);
        if (ref && node.CreateTableAsStmt.objtype === 'OBJECT_MATVIEW') this.createView(ref, 'matview', node.CreateTableAsStmt.query, node.CreateTableAsStmt.into?.colNames, isNew);
        else if (ref) this.tables.set({ ...emptyRelation(ref, 'table', isNew), columnsKnown: false });
        break;
      }
      case 'SelectStmt': {
        if (!node.SelectStmt.intoClause) break;
        const ref = rangeVarRef(node.SelectStmt.intoClause.rel);
        if (ref) this.tables.set({ ...emptyRelation(ref, 'table', isNew), columnsKnown: false });
        break;
      }
      case 'ViewStmt': {
        const ref = rangeVarRef(node.ViewStmt.view);
        if (ref) this.createView(ref, 'view', node.ViewStmt.query, node.ViewStmt.aliases, this.tables.get(ref)?.kind === 'view' && node.ViewStmt.replace ? this.tables.get(ref)!.isNew : isNew);
        break;
      }
      case 'CreateForeignTableStmt': {
        const base = node.CreateForeignTableStmt.base;
        if (base) {
          this.createTable(base, isNew);
          const table = this.tables.get(rangeVarRef(base.relation));
          if (table) table.kind = 'foreign';
        }
        break;
      }
      case 'CreateSeqStmt': {
        const ref = rangeVarRef(node.CreateSeqStmt.sequence);
        if (ref) this.tables.set(emptyRelation(ref, 'sequence', isNew));
        break;
      }
      case 'IndexStmt':
        this.createIndex(node.IndexStmt, isNew);
        break;
      case 'CreateSchemaStmt':
        if (node.CreateSchemaStmt.schemaname) this.schemas.set(node.CreateSchemaStmt.schemaname, { isNew });
        break;
      case 'CreateEnumStmt': {
        const ref = nameListRef(node.CreateEnumStmt.typeName);
        if (ref) this.types.set({ ref, kind: 'enum', isNew });
        break;
      }
      case 'CompositeTypeStmt': {
        const ref = rangeVarRef(node.CompositeTypeStmt.typevar);
        if (ref) this.types.set({ ref, kind: 'composite', isNew });
        break;
      }
      case 'CreateDomainStmt': {
        const ref = nameListRef(node.CreateDomainStmt.domainname);
        if (ref) this.types.set({ ref, kind: 'domain', isNew, base: columnTypeOf(node.CreateDomainStmt.typeName) });
        break;
      }
      case 'CreateFunctionStmt': {
        const names = ((node.CreateFunctionStmt.funcname ?? []) as Node[]).map((n) => stringValue(n) ?? '');
        let volatility: 'immutable' | 'stable' | 'volatile' = 'volatile';
        for (const option of (node.CreateFunctionStmt.options ?? []) as Node[]) {
          if (option.DefElem?.defname === 'volatility') volatility = (stringValue(option.DefElem.arg) ?? 'volatile') as typeof volatility;
        }
        this.functions.set((names[names.length - 1] ?? '').toLowerCase(), volatility);
        break;
      }
      case 'DropStmt':
        this.drop(node.DropStmt);
        break;
      case 'UpdateStmt':
      case 'InsertStmt':
      case 'MergeStmt':
      case 'CopyStmt': {
        // Written: the columns may no longer be all NULL.
        const table = this.tables.get(rangeVarRef(node[kind].relation));
        if (table) for (const column of table.columns.values()) column.allNull = false;
        break;
      }
      case 'RenameStmt':
        this.rename(node.RenameStmt);
        break;
      case 'AlterTableStmt':
        this.alterTable(node.AlterTableStmt, isNew);
        break;
      case 'VariableSetStmt':
        if (node.VariableSetStmt.name === 'timezone') {
          const arg = node.VariableSetStmt.args?.[0]?.A_Const?.sval?.sval as string | undefined;
          this.timezone = node.VariableSetStmt.kind === 'VAR_SET_VALUE' && arg ? arg : undefined;
        }
        break;
      default:
        break;
    }
  }

  /** The views and materialized views whose query uses `column` of table `ref`. */
  viewsUsing(ref: RelationRef, column: string): TableModel[] {
    // Asked for every ALTER COLUMN TYPE and DROP COLUMN: a model without views answers at once.
    if (this.tables.keptApartCount === 0) return [];
    const table = this.tables.get(ref);
    if (!table) return [];
    const same = (dep: ViewDependency) => dep.column === column && dep.table.name === table.ref.name && (dep.table.schema ?? 'public') === (table.ref.schema ?? 'public');
    return this.tables.keptApartValues().filter((view) => view.dependsOn?.some(same));
  }

  private createView(ref: RelationRef, kind: 'view' | 'matview', query: Node | undefined, aliases: Node[] | undefined, isNew: boolean): void {
    const shape = viewShape(query, (aliases ?? []).map((alias) => stringValue(alias) ?? ''), this);
    const view = emptyRelation(ref, kind, isNew);
    view.columnsKnown = shape.columns !== undefined;
    for (const column of shape.columns ?? []) view.columns.set(column.name, column);
    view.dependsOn = shape.dependsOn;
    this.tables.set(view);
  }

  /** Keeps the views' dependencies pointing at a table or column renamed under them (PostgreSQL follows renames). */
  private followRename(table: RelationRef, newTable: string, column?: { from: string; to: string }): void {
    for (const view of this.tables.keptApartValues()) {
      if (!view.dependsOn?.some((dep) => dep.table.name === table.name)) continue;
      view.dependsOn = view.dependsOn.map((dep) => {
        if (dep.table.name !== table.name || (dep.table.schema ?? 'public') !== (table.schema ?? 'public')) return dep;
        return { table: { ...dep.table, name: newTable }, column: column && dep.column === column.from ? column.to : dep.column };
      });
    }
  }

  private createTable(stmt: Node, isNew: boolean): void {
    const ref = rangeVarRef(stmt.relation);
    if (!ref) return;
    if (stmt.if_not_exists && this.tables.get(ref)) return;
    const table = emptyRelation(ref, 'table', isNew);
    table.columnsKnown = !(stmt.inhRelations?.length || stmt.ofTypename || stmt.partbound);
    for (const element of stmt.tableElts ?? []) {
      if (element.ColumnDef) this.addColumn(table, element.ColumnDef);
      else if (element.Constraint) this.addConstraint(table, element.Constraint, false);
      else if (element.TableLikeClause) table.columnsKnown = false;
    }
    this.tables.set(table);
  }

  private addColumn(table: TableModel, def: Node, toExisting = false): void {
    if (!def.colname) return;
    const column: ColumnModel = { name: def.colname, type: columnTypeOf(def.typeName), notNull: false };
    const constraints = def.constraints as Node[] | undefined;
    if (toExisting && !table.isNew && !constraints?.some((c) => FILLING_CONSTRAINTS.has(c.Constraint?.contype)) && !isSerialType(def.typeName)) {
      column.allNull = true;
      this.allNullTables.push(table);
    }
    table.columns.set(def.colname, column);
    if (!constraints) return;
    for (const item of constraints) {
      const constraint = item.Constraint;
      if (!constraint) continue;
      if (constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_PRIMARY') column.notNull = true;
      if (constraint.contype !== 'CONSTR_NOTNULL' && constraint.contype !== 'CONSTR_NULL' && constraint.contype !== 'CONSTR_DEFAULT') {
        // A column constraint's keys are its column; passed beside the node, not spread into a copy of it
        // (a spread parse node plus one property costs microseconds on V8, once per column constraint).
        this.addConstraint(table, constraint, false, constraint.keys ? undefined : [def.colname as string]);
      }
    }
  }

  private addConstraint(table: TableModel, constraint: Node, alter: boolean, columnKeys?: string[]): void {
    const kind = CONSTRAINT_KINDS[constraint.contype as string] ?? 'other';
    const keys = columnKeys ?? keyNames(constraint.keys as Node[] | undefined);
    const notNullColumns = kind === 'check' ? notNullColumnsOf(constraint.raw_expr) : kind === 'notnull' || kind === 'primary' ? keys : [];
    if (kind === 'primary') {
      for (const key of keys) {
        const column = table.columns.get(key);
        if (column) column.notNull = true;
      }
      if (constraint.indexname) {
        const index = this.indexes.get(sibling(table.ref, constraint.indexname));
        for (const key of index?.columns ?? []) {
          const column = table.columns.get(key);
          if (column) column.notNull = true;
        }
      }
    }
    if (kind === 'notnull') for (const key of keys) if (table.columns.get(key)) table.columns.get(key)!.notNull = true;
    const name = constraint.conname ?? `${table.ref.name}_${keys.join('_') || kind}_${kind}`;
    table.constraints.set(name, { name, kind, valid: !(alter && constraint.skip_validation), notNullColumns });
    if ((kind === 'unique' || kind === 'primary') && constraint.indexname) {
      const index = this.indexes.get(sibling(table.ref, constraint.indexname));
      if (index) this.indexes.delete(index.ref), this.indexes.set({ ...index, ref: { ...index.ref, name } });
    } else if (kind === 'unique' || kind === 'primary' || kind === 'exclusion') {
      this.indexes.set({ ref: sibling(table.ref, name), table: table.ref, valid: true, unique: true, isNew: table.isNew, columns: keys });
    }
  }

  private createIndex(stmt: Node, isNew: boolean): void {
    const table = rangeVarRef(stmt.relation);
    const name = stmt.idxname as string | undefined;
    if (!name) return;
    const ref = table?.schema ? { schema: table.schema, name } : { name };
    if (stmt.if_not_exists && this.indexes.get(ref)) return;
    const columns: string[] = [];
    for (const param of (stmt.indexParams ?? []) as Node[]) {
      if (param.IndexElem?.name) columns.push(param.IndexElem.name);
      else visitColumns(param.IndexElem?.expr, columns);
    }
    // ON ONLY a partitioned parent creates an invalid index until every partition's index is attached.
    const valid = stmt.relation?.inh !== false;
    this.indexes.set({ ref, table, valid, unique: !!stmt.unique, isNew, columns });
  }

  private drop(stmt: Node): void {
    const objects = (stmt.objects ?? []) as Node[];
    for (const object of objects) {
      const ref = nameListRef(object.List?.items) ?? nameListRef(object.TypeName?.names) ?? (object.String ? { name: object.String.sval } : undefined);
      switch (stmt.removeType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
        case 'OBJECT_FOREIGN_TABLE':
        case 'OBJECT_SEQUENCE': {
          const dropped = this.tables.delete(ref);
          if (dropped) for (const index of this.indexes.values()) if (index.table && index.table.name === dropped.ref.name) this.indexes.delete(index.ref);
          break;
        }
        case 'OBJECT_INDEX':
          this.indexes.delete(ref);
          break;
        case 'OBJECT_TYPE':
        case 'OBJECT_DOMAIN':
          this.types.delete(ref);
          break;
        case 'OBJECT_SCHEMA':
          if (ref) this.schemas.delete(ref.name);
          break;
        default:
          break;
      }
    }
  }

  private rename(stmt: Node): void {
    const newName = stmt.newname as string | undefined;
    if (!newName) return;
    const relation = rangeVarRef(stmt.relation);
    switch (stmt.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_SEQUENCE': {
        const table = this.tables.delete(relation);
        if (table) {
          this.tables.set({ ...table, ref: { ...table.ref, name: newName } });
          for (const index of this.indexes.values()) if (index.table?.name === table.ref.name) index.table = { ...index.table, name: newName };
          this.followRename(table.ref, newName);
        }
        break;
      }
      case 'OBJECT_INDEX': {
        const index = this.indexes.delete(relation);
        if (index) this.indexes.set({ ...index, ref: { ...index.ref, name: newName } });
        break;
      }
      case 'OBJECT_COLUMN': {
        const table = this.tables.get(relation);
        const column = table?.columns.get(stmt.subname);
        if (table && column) {
          table.columns.delete(stmt.subname);
          table.columns.set(newName, { ...column, name: newName });
          this.followRename(table.ref, table.ref.name, { from: stmt.subname, to: newName });
        }
        break;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const table = this.tables.get(relation);
        const constraint = table?.constraints.get(stmt.subname);
        if (table && constraint) {
          table.constraints.delete(stmt.subname);
          table.constraints.set(newName, { ...constraint, name: newName });
        }
        break;
      }
      default:
        break;
    }
  }

  private alterTable(stmt: Node, isNew: boolean): void {
    const ref = rangeVarRef(stmt.relation);
    if (stmt.objtype === 'OBJECT_INDEX') return;
    let table = this.tables.get(ref);
    if (!table && ref && !stmt.missing_ok) {
      // A table ddlgate has not seen: start tracking what this migration does to it.
      table = emptyRelation(ref, 'table', false);
      table.columnsKnown = false;
      this.tables.set(table);
    }
    if (!table) return;
    // The commands as they are (alterCommands() would build two arrays per ALTER TABLE).
    for (const item of (stmt.cmds ?? []) as Node[]) {
      const cmd = item.AlterTableCmd;
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          if (cmd.def?.ColumnDef && !(cmd.missing_ok && table.columns.has(cmd.def.ColumnDef.colname))) this.addColumn(table, cmd.def.ColumnDef, true);
          break;
        case 'AT_DropColumn':
          // CASCADE drops the views that use the column with it (without, PostgreSQL refuses: statement-fails).
          if (cmd.name && cmd.behavior === 'DROP_CASCADE') for (const view of this.viewsUsing(table.ref, cmd.name)) this.tables.delete(view.ref);
          if (cmd.name) table.columns.delete(cmd.name);
          break;
        case 'AT_AlterColumnType': {
          const column = table.columns.get(cmd.name);
          const type = columnTypeOf(cmd.def?.ColumnDef?.typeName);
          if (column) column.type = type;
          else if (cmd.name) table.columns.set(cmd.name, { name: cmd.name, type, notNull: false });
          break;
        }
        case 'AT_SetNotNull': {
          const column = table.columns.get(cmd.name);
          if (column) column.notNull = true;
          break;
        }
        case 'AT_DropNotNull': {
          const column = table.columns.get(cmd.name);
          if (column) column.notNull = false;
          break;
        }
        case 'AT_AddConstraint':
          if (cmd.def?.Constraint) this.addConstraint(table, cmd.def.Constraint, true);
          break;
        case 'AT_ValidateConstraint': {
          const constraint = table.constraints.get(cmd.name);
          if (constraint) constraint.valid = true;
          else if (cmd.name) table.constraints.set(cmd.name, { name: cmd.name, kind: 'other', valid: true, notNullColumns: [] });
          break;
        }
        case 'AT_DropConstraint':
          if (cmd.name) {
            table.constraints.delete(cmd.name);
            this.indexes.delete(sibling(table.ref, cmd.name));
          }
          break;
        default:
          break;
      }
    }
    void isNew;
  }
}

/** Column constraints that give existing rows a value when the column is added. */
const FILLING_CONSTRAINTS = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);

const CONSTRAINT_KINDS: Record<string, ConstraintModel['kind']> = {
  CONSTR_CHECK: 'check',
  CONSTR_NOTNULL: 'notnull',
  CONSTR_FOREIGN: 'foreign',
  CONSTR_UNIQUE: 'unique',
  CONSTR_PRIMARY: 'primary',
  CONSTR_EXCLUSION: 'exclusion',
};

function visitColumns(node: unknown, into: string[]): void {
  if (Array.isArray(node)) for (const item of node) visitColumns(item, into);
  else if (node && typeof node === 'object') {
    const fields = (node as Node).ColumnRef?.fields as Node[] | undefined;
    if (fields) {
      const name = stringValue(fields[fields.length - 1]);
      if (name) into.push(name);
      return;
    }
    for (const child of Object.values(node)) visitColumns(child, into);
  }
}

/** An object named `name` in the schema of `ref` (an index or constraint of a table), as written. */
function sibling(ref: RelationRef, name: string): RelationRef {
  return ref.schema ? { schema: ref.schema, name } : { name };
}

/** The names in a constraint's key list (String nodes). */
function keyNames(keys: Node[] | undefined): string[] {
  const names: string[] = [];
  if (keys) for (const key of keys) {
    const name = stringValue(key);
    if (name) names.push(name);
  }
  return names;
}

function emptyRelation(ref: RelationRef, kind: RelationKind, isNew: boolean): TableModel {
  return { ref, kind, isNew, columnsKnown: kind === 'table', columns: new Map(), constraints: new Map() };
}
