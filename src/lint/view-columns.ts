/**
 * What a view (or materialized view) is made of, read from its query: the columns it returns (name and,
 * when it passes a table column through, its type) and the table columns it depends on. PostgreSQL
 * records those dependencies and refuses to drop such a column (without CASCADE, which drops the view) or
 * change its type while the view exists; the schema model keeps them so the rules can say so.
 * Pure; never throws. Dependencies are only recorded when they resolve to one known table column, so an
 * ambiguous or unknown reference costs a finding, never invents one.
 */
import { stringValue, visit, type Node } from './ast.js';
import type { ColumnModel, ColumnType } from './schema.js';
import type { RelationRef } from './types.js';

export interface ViewDependency {
  table: RelationRef;
  column: string;
}

/** The slice of the schema model the analysis reads (kept narrow so schema.ts and this file stay decoupled). */
export interface TableLookup {
  table(ref: RelationRef | undefined): { ref: RelationRef; columnsKnown: boolean; columns: Map<string, ColumnModel> } | undefined;
}

export interface ViewShape {
  /** The output columns in order, or undefined when they cannot be known (a star over an unknown table …). */
  columns: ColumnModel[] | undefined;
  dependsOn: ViewDependency[];
}

const UNKNOWN_TYPE: ColumnType = { name: 'unknown', typmods: [], array: false };

interface Source {
  alias: string;
  ref: RelationRef;
  columns: Map<string, ColumnModel> | undefined;
}

export function viewShape(query: Node | undefined, aliases: string[], lookup: TableLookup): ViewShape {
  const select = firstSelect(query);
  if (!select) return { columns: undefined, dependsOn: [] };
  const sources = sourcesOf(query, lookup);
  const dependsOn = new Map<string, ViewDependency>();
  const depend = (source: Source, column: string) => dependsOn.set(`${source.ref.schema ?? ''}.${source.ref.name}.${column}`, { table: source.ref, column });
  visit(query, (node) => {
    const fields = node.ColumnRef?.fields as Node[] | undefined;
    if (!fields) return;
    for (const [source, column] of resolve(fields, sources)) depend(source, column);
  });
  let columns: ColumnModel[] | undefined = [];
  for (const item of (select.targetList ?? []) as Node[]) {
    const target = item.ResTarget;
    if (!target) continue;
    const fields = target.val?.ColumnRef?.fields as Node[] | undefined;
    if (fields?.some((f) => f.A_Star)) {
      const expanded = resolve(fields, sources);
      if (!columns || expanded.length === 0) {
        columns = undefined;
        continue;
      }
      for (const [source, column] of expanded) columns.push({ ...source.columns!.get(column)!, notNull: false });
      continue;
    }
    if (!columns) continue;
    const passed = fields ? resolve(fields, sources)[0] : undefined;
    const type = passed ? passed[0].columns!.get(passed[1])!.type : UNKNOWN_TYPE;
    columns.push({ name: target.name ?? outputName(target.val), type, notNull: false });
  }
  // CREATE VIEW v (a, b) AS …: the listed names replace the first columns' names.
  if (columns) for (let i = 0; i < Math.min(aliases.length, columns.length); i++) columns[i] = { ...columns[i]!, name: aliases[i]! };
  return { columns, dependsOn: [...dependsOn.values()] };
}

/** The SELECT whose target list names the columns (the left-most branch of a UNION …). */
function firstSelect(query: Node | undefined): Node | undefined {
  let select = query?.SelectStmt;
  while (select && select.op && select.op !== 'SETOP_NONE') select = select.larg;
  return select;
}

/** Every table the query reads (at any depth), by the name the query uses for it; CTE names are not tables. */
function sourcesOf(query: Node | undefined, lookup: TableLookup): Source[] {
  const ctes = new Set<string>();
  visit(query, (node) => {
    if (node.CommonTableExpr?.ctename) ctes.add(node.CommonTableExpr.ctename);
  });
  const sources: Source[] = [];
  visit(query, (node) => {
    const rangeVar = node.RangeVar;
    if (!rangeVar?.relname || (!rangeVar.schemaname && ctes.has(rangeVar.relname))) return;
    const ref: RelationRef = rangeVar.schemaname ? { schema: rangeVar.schemaname, name: rangeVar.relname } : { name: rangeVar.relname };
    const table = lookup.table(ref);
    sources.push({ alias: rangeVar.alias?.aliasname ?? rangeVar.relname, ref: table?.ref ?? ref, columns: table?.columnsKnown ? table.columns : undefined });
  });
  return sources;
}

/** The table columns a column reference means: one for `col`/`t.col` when unambiguous, all for `*`/`t.*`. */
function resolve(fields: Node[], sources: Source[]): Array<[Source, string]> {
  const names = fields.map((f) => (f.A_Star ? '*' : stringValue(f)));
  if (names.some((n) => n === undefined)) return [];
  const column = names[names.length - 1]!;
  const qualifier = names.slice(0, -1);
  const candidates = qualifier.length === 0 ? sources : sources.filter((s) => s.alias === qualifier[qualifier.length - 1] && (qualifier.length < 2 || (s.ref.schema ?? 'public') === qualifier[0]));
  if (column === '*') {
    if (candidates.some((s) => !s.columns)) return [];
    return candidates.flatMap((s) => [...s.columns!.keys()].map((name): [Source, string] => [s, name]));
  }
  const having = candidates.filter((s) => s.columns?.has(column));
  // An unqualified name a table of unknown columns might also hold is ambiguous: no dependency claimed.
  if (having.length !== 1 || (qualifier.length === 0 && candidates.some((s) => !s.columns))) return [];
  return [[having[0]!, column]];
}

/** PostgreSQL's name for an unnamed output column: the column's or function's name, else ?column?. */
function outputName(value: Node | undefined): string {
  const fields = value?.ColumnRef?.fields as Node[] | undefined;
  if (fields) return stringValue(fields[fields.length - 1]) ?? '?column?';
  const func = value?.FuncCall?.funcname as Node[] | undefined;
  if (func) return stringValue(func[func.length - 1]) ?? '?column?';
  if (value?.TypeCast) return outputName(value.TypeCast.arg);
  return '?column?';
}
