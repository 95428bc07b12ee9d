import { refText, type Node } from '../ast.js';
import { columnTypeOf, typeText } from '../schema.js';
import { oftenFreeTarget, typeChangeVerdict } from '../type-change.js';
import type { Rule, RuleHit } from '../types.js';
import { alterExistingTable } from './helpers.js';

export const rule: Rule = {
  id: 'change-column-type',
  severity: 'error',
  category: 'column',
  summary: '`ALTER COLUMN … TYPE` that rewrites an existing table (judged against the column\'s current type).',
  why: 'A type change that is not binary-coercible rewrites the whole table and rebuilds every index on it while holding an ACCESS EXCLUSIVE lock: no read or write proceeds until it ends. ddlgate knows the current type from earlier migrations (or the catalog with --database-url) and follows PostgreSQL\'s rules: varchar(n) → varchar(m ≥ n) / text, text → varchar, numeric(p,s) → numeric(p2 ≥ p, s), timestamp/time/interval precision increases, cidr → inet and (PostgreSQL 12+, TimeZone UTC) timestamp ↔ timestamptz keep the data; everything else rewrites. Even without a rewrite, indexes whose operator class changes (text → citext) are rebuilt under the same lock.',
  safe: 'Add a new column with the new type, write to both (trigger or application), backfill in batches, switch reads, then drop the old column in a later release.',
  bad: 'ALTER TABLE orders ALTER COLUMN code TYPE varchar(19); -- code was varchar(20)',
  good: 'ALTER TABLE orders ALTER COLUMN code TYPE varchar(40); -- code was varchar(20): no rewrite',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    const table = state.schema.table(alter.table);
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AlterColumnType') continue;
      const def = cmd.def?.ColumnDef;
      const to = columnTypeOf(def?.typeName);
      const column = table?.columns.get(cmd.name);
      const where = `${alter.name}.${cmd.name}`;
      const rewriteText = 'the table and all its indexes are rewritten under an ACCESS EXCLUSIVE lock';
      if (def?.raw_default && !isPlainCast(def.raw_default, cmd.name)) {
        hits.push({ message: `type of ${where} changed to ${typeText(to)} with a USING expression: every row is recomputed, so ${rewriteText}` });
        continue;
      }
      if (!column) {
        if (oftenFreeTarget(to)) {
          hits.push({
            message: `type of ${where} changed to ${typeText(to)}; its current type is unknown to ddlgate: from varchar or text this keeps the data, from anything else ${rewriteText}`,
            severity: 'warning',
            hint: 'Lint with --database-url (or keep the migration that created the column in the directory) so ddlgate knows the current type; the dry-run confirms whether the table was rewritten.',
          });
        } else {
          hits.push({
            message: `type of ${where} changed to ${typeText(to)}: unless the column already has a compatible type (ddlgate does not know its current type), ${rewriteText}`,
            hint: 'If the change only raises a length or precision limit, lint with --database-url (or keep the migration that created the column in the directory) so ddlgate can see it; otherwise add a new column, backfill in batches and switch over.',
          });
        }
        continue;
      }
      const verdict = typeChangeVerdict(column.type, to, { pgVersion: state.pgVersion, timezone: state.schema.timezone });
      if (verdict.rewrite) {
        hits.push({ message: `type of ${where} changed: ${verdict.reason}, so ${rewriteText}` });
        continue;
      }
      const indexes = rebuiltIndexes(state, alter.table, cmd.name, column.type.name, to.name);
      if (indexes.length > 0) {
        hits.push({ message: `type of ${where} changed: ${verdict.reason}, but the index${indexes.length > 1 ? 'es' : ''} ${indexes.join(', ')} must be rebuilt for the new operator class under an ACCESS EXCLUSIVE lock` });
      }
    }
    return hits;
  },
};

/** `USING col` or `USING col::newtype` is no expression at all: PostgreSQL treats it as the plain cast. */
function isPlainCast(expr: Node, column: string): boolean {
  const inner = expr.TypeCast ? expr.TypeCast.arg : expr;
  const fields = inner?.ColumnRef?.fields ?? [];
  return fields.length === 1 && fields[0]?.String?.sval === column;
}

/** Indexes on the column whose operator class differs between the two types (text_ops vs citext_ops). */
function rebuiltIndexes(state: Parameters<Rule['check']>[1], table: { schema?: string; name: string }, column: string, from: string, to: string): string[] {
  const family = (name: string) => (name === 'varchar' || name === 'text' || name === 'bpchar' ? 'text' : name === 'cidr' ? 'inet' : name);
  if (family(from) === family(to)) return [];
  return state.schema.indexes
    .values()
    .filter((index) => index.table && index.table.name === table.name && index.columns.includes(column) && !index.isNew)
    .map((index) => refText(index.ref));
}
