/**
 * Which table each statement of a migration acts on, by line: the impact pass joins a finding to the
 * statement at its line and the statement to the snapshot's table. Pure (parses text with the real
 * parser); a statement whose target is not a single table (or a DO block) has none.
 */
import { parseSqlStatements } from '../sql/statements.js';

export interface Relation {
  schema?: string;
  name: string;
}

export interface StatementTarget {
  line: number;
  endLine: number;
  /** The table acted on, or (kind "index") an index whose table the snapshot knows. */
  target: Relation;
  kind: 'table' | 'index';
}

export interface CreatedTable {
  table: Relation;
  line: number;
}

export interface MigrationTargets {
  statements: StatementTarget[];
  /** Tables this migration creates (CREATE TABLE, CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED VIEW). */
  created: CreatedTable[];
}

type Node = Record<string, any>;

function rangeVar(node: Node | undefined): Relation | undefined {
  if (!node?.relname) return undefined;
  return node.schemaname ? { schema: node.schemaname, name: node.relname } : { name: node.relname };
}

function nameList(items: Node[] | undefined): Relation | undefined {
  const names = (items ?? []).map((item) => item.String?.sval as string | undefined).filter((x): x is string => !!x);
  if (names.length === 0) return undefined;
  return names.length >= 2 ? { schema: names[names.length - 2]!, name: names[names.length - 1]! } : { name: names[0]! };
}

/** The one table (or index) a statement acts on, if it has one. */
export function statementTarget(kind: string, stmt: Node): { target: Relation; kind: 'table' | 'index' } | undefined {
  const table = (target: Relation | undefined) => (target ? { target, kind: 'table' as const } : undefined);
  switch (kind) {
    case 'AlterTableStmt':
      return stmt.objtype === 'OBJECT_INDEX' ? (rangeVar(stmt.relation) ? { target: rangeVar(stmt.relation)!, kind: 'index' } : undefined) : table(rangeVar(stmt.relation));
    case 'IndexStmt':
    case 'ClusterStmt':
    case 'RefreshMatViewStmt':
    case 'DeleteStmt':
    case 'UpdateStmt':
    case 'CreateTrigStmt':
      return table(rangeVar(stmt.relation));
    case 'ReindexStmt':
      if (stmt.kind === 'REINDEX_OBJECT_INDEX') return rangeVar(stmt.relation) ? { target: rangeVar(stmt.relation)!, kind: 'index' } : undefined;
      return table(rangeVar(stmt.relation));
    case 'VacuumStmt': {
      const rels = (stmt.rels ?? []).map((rel: Node) => rangeVar(rel.VacuumRelation?.relation)).filter(Boolean);
      return rels.length === 1 ? table(rels[0]) : undefined;
    }
    case 'LockStmt':
    case 'TruncateStmt': {
      const rels = (stmt.relations ?? []).map((rel: Node) => rangeVar(rel.RangeVar)).filter(Boolean);
      return rels.length === 1 ? table(rels[0]) : undefined;
    }
    case 'RenameStmt':
      if (stmt.renameType === 'OBJECT_INDEX') return rangeVar(stmt.relation) ? { target: rangeVar(stmt.relation)!, kind: 'index' } : undefined;
      return table(rangeVar(stmt.relation));
    case 'DropStmt': {
      const objects = stmt.objects ?? [];
      if (objects.length !== 1) return undefined;
      const ref = nameList(objects[0]?.List?.items);
      if (!ref) return undefined;
      if (stmt.removeType === 'OBJECT_TABLE' || stmt.removeType === 'OBJECT_MATVIEW') return table(ref);
      if (stmt.removeType === 'OBJECT_INDEX') return { target: ref, kind: 'index' };
      return undefined;
    }
    default:
      return undefined;
  }
}

function createdBy(kind: string, stmt: Node): Relation | undefined {
  if (kind === 'CreateStmt') return rangeVar(stmt.relation);
  if (kind === 'CreateTableAsStmt') return rangeVar(stmt.into?.rel);
  if (kind === 'SelectStmt' && stmt.intoClause) return rangeVar(stmt.intoClause.rel);
  return undefined;
}

/** Targets of every top-level statement of a migration's text; text that does not parse has none. */
export function migrationTargets(text: string): MigrationTargets {
  let parsed;
  try {
    parsed = parseSqlStatements(text);
  } catch {
    return { statements: [], created: [] };
  }
  const statements: StatementTarget[] = [];
  const created: CreatedTable[] = [];
  for (const statement of parsed.statements) {
    const stmt = statement.node[statement.kind] ?? {};
    const target = statementTarget(statement.kind, stmt);
    if (target) statements.push({ line: statement.line, endLine: statement.endLine, ...target });
    const table = createdBy(statement.kind, stmt);
    if (table) created.push({ table, line: statement.line });
  }
  return { statements, created };
}
