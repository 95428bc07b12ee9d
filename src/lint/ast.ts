/** Small helpers over libpg-query parse trees (PostgreSQL 18 node shapes). */
import type { RelationRef } from './types.js';

export type Node = Record<string, any>;

export function rangeVarRef(rangeVar: Node | undefined): RelationRef | undefined {
  if (!rangeVar?.relname) return undefined;
  return rangeVar.schemaname ? { schema: rangeVar.schemaname, name: rangeVar.relname } : { name: rangeVar.relname };
}

/** `[schema, name]` String lists (DROP objects, type names) → a reference. */
export function nameListRef(items: Node[] | undefined): RelationRef | undefined {
  const names = (items ?? []).map((item) => item.String?.sval as string | undefined).filter((x): x is string => !!x);
  if (names.length === 0) return undefined;
  const name = names[names.length - 1]!;
  const schema = names.length >= 2 ? names[names.length - 2] : undefined;
  return schema ? { schema, name } : { name };
}

export function refText(ref: RelationRef | undefined): string {
  if (!ref) return '?';
  return ref.schema ? `${ident(ref.schema)}.${ident(ref.name)}` : ident(ref.name);
}

/** Quotes an identifier the way it has to be written in SQL. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'from', 'where', 'check', 'default', 'column', 'primary', 'references', 'unique', 'constraint']);

/** Relations match when their names match and their schemas do not contradict each other. */
export function sameRelation(a: RelationRef, b: RelationRef): boolean {
  return a.name === b.name && (!a.schema || !b.schema || a.schema === b.schema);
}

export function typeNameText(typeName: Node | undefined): string {
  const names = (typeName?.names ?? []).map((n: Node) => n.String?.sval as string);
  const visible = names.length === 2 && names[0] === 'pg_catalog' ? [names[1]!] : names;
  return visible.join('.');
}

/** Last component of a type name (`pg_catalog.int4` → `int4`). */
export function typeBaseName(typeName: Node | undefined): string {
  // The last name read in place: asked for every column a rule looks at.
  const names = typeName?.names as Node[] | undefined;
  return ((names?.[names.length - 1]?.String?.sval as string | undefined) ?? '').toLowerCase();
}

export function funcName(funcCall: Node | undefined): string {
  const names = (funcCall?.funcname ?? []).map((n: Node) => n.String?.sval as string);
  return names.join('.').toLowerCase();
}

export function funcBaseName(funcCall: Node | undefined): string {
  const names = funcCall?.funcname as Node[] | undefined;
  return ((names?.[names.length - 1]?.String?.sval as string | undefined) ?? '').toLowerCase();
}

/** Depth-first visit of every object in a parse tree, with its key in the parent. */
export function visit(node: unknown, fn: (value: Node, key: string) => void, key = ''): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, fn, key);
  } else if (node && typeof node === 'object') {
    fn(node as Node, key);
    // for…in rather than Object.entries: no array per node (lint visits every tree it checks).
    for (const childKey in node as Node) {
      const child = (node as Node)[childKey];
      if (child && typeof child === 'object') visit(child, fn, childKey);
    }
  }
}

/** Every function call in a tree (FuncCall nodes, including CALL's). */
export function functionCallsIn(node: unknown): Node[] {
  const calls: Node[] = [];
  visit(node, (value) => {
    if (value.FuncCall) calls.push(value.FuncCall);
    if (value.CallStmt?.funccall) calls.push(value.CallStmt.funccall);
  });
  return calls;
}

export function columnConstraints(columnDef: Node): Node[] {
  return (columnDef.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
}

export function alterCommands(stmt: Node): Node[] {
  return (stmt.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter(Boolean);
}

export function stringValue(node: Node | undefined): string | undefined {
  return node?.String?.sval;
}

export function defElems(list: Node[] | undefined): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const item of list ?? []) if (item.DefElem) map.set(item.DefElem.defname, item.DefElem);
  return map;
}

/** Column names a constraint expression requires to be non-null: `CHECK (a IS NOT NULL [AND b IS NOT NULL…])`. */
export function notNullColumnsOf(expr: Node | undefined): string[] {
  if (!expr) return [];
  if (expr.NullTest?.nulltesttype === 'IS_NOT_NULL') {
    const fields = expr.NullTest.arg?.ColumnRef?.fields ?? [];
    const name = fields[fields.length - 1]?.String?.sval;
    return name ? [name] : [];
  }
  if (expr.BoolExpr?.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).flatMap((arg: Node) => notNullColumnsOf(arg));
  return [];
}

export const LOCK_MODES = [
  '',
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
