import type { Node } from '../ast.js';
import type { Rule } from '../types.js';

const KINDS = new Set(['UpdateStmt', 'InsertStmt', 'MergeStmt', 'CreateStmt', 'CreateForeignTableStmt', 'ViewStmt', 'SelectStmt', 'CreateTableAsStmt']);

export const rule: Rule = {
  id: 'duplicate-column',
  severity: 'error',
  category: 'input',
  summary: 'A column named twice where PostgreSQL rejects it: `UPDATE … SET a = …, a = …`, `INSERT (a, a)`, `CREATE TABLE (a …, a …)`, a view or `SELECT INTO` with two columns of the same name.',
  why: 'PostgreSQL refuses the statement ("multiple assignments to same column", "column specified more than once"), so the migration fails when it is deployed.',
  safe: 'Name every column once (give expressions in a view or SELECT INTO distinct aliases).',
  bad: 'UPDATE accounts SET plan = \'free\', plan = \'pro\';',
  good: 'UPDATE accounts SET plan = \'pro\';',
  kinds: [...KINDS],
  check(statement) {
    const node = statement.node;
    if (!KINDS.has(statement.kind)) return [];
    const lists: Array<{ names: string[]; what: string }> = [];
    if (node.UpdateStmt) lists.push({ names: assignedColumns(node.UpdateStmt.targetList), what: 'UPDATE assigns' });
    if (node.InsertStmt) {
      lists.push({ names: assignedColumns(node.InsertStmt.cols), what: 'INSERT lists' });
      const conflict = node.InsertStmt.onConflictClause?.targetList;
      if (conflict) lists.push({ names: assignedColumns(conflict), what: 'ON CONFLICT DO UPDATE assigns' });
    }
    if (node.MergeStmt) {
      for (const clause of node.MergeStmt.mergeWhenClauses ?? []) {
        const when = clause.MergeWhenClause;
        if (when?.targetList) lists.push({ names: assignedColumns(when.targetList), what: when.commandType === 'CMD_INSERT' ? 'MERGE … INSERT lists' : 'MERGE … UPDATE assigns' });
      }
    }
    if (node.CreateStmt || node.CreateForeignTableStmt) {
      const stmt = node.CreateStmt ?? node.CreateForeignTableStmt.base;
      lists.push({ names: (stmt.tableElts ?? []).map((e: Node) => e.ColumnDef?.colname).filter(Boolean), what: 'CREATE TABLE defines' });
    }
    if (node.ViewStmt) {
      const aliases = (node.ViewStmt.aliases ?? []).map((a: Node) => a.String?.sval).filter(Boolean);
      const output = outputNames(node.ViewStmt.query?.SelectStmt);
      const names = output.map((name, i) => aliases[i] ?? name);
      lists.push({ names: aliases.length ? [...aliases, ...names.slice(aliases.length)] : names, what: 'the view defines' });
    }
    if (node.SelectStmt?.intoClause) lists.push({ names: outputNames(node.SelectStmt), what: 'SELECT INTO creates' });
    if (node.CreateTableAsStmt?.query?.SelectStmt) lists.push({ names: outputNames(node.CreateTableAsStmt.query.SelectStmt), what: 'CREATE TABLE AS creates' });
    for (const { names, what } of lists) {
      const name = firstRepeat(names);
      if (name !== undefined) return [{ message: `${what} column "${name}" more than once: PostgreSQL rejects the statement, so the migration fails` }];
    }
    return [];
  },
};

/** The first name that repeats an earlier one. Short lists (most statements) are compared pairwise, without a Set. */
function firstRepeat(names: string[]): string | undefined {
  if (names.length > 16) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) return name;
      seen.add(name);
    }
    return undefined;
  }
  for (let i = 1; i < names.length; i++) for (let j = 0; j < i; j++) if (names[i] === names[j]) return names[i];
  return undefined;
}

/** Target columns of SET / INSERT lists; `a.x` and `a[1]` assign parts of a, which conflict only with a itself. */
function assignedColumns(list: Node[] | undefined): string[] {
  const whole: string[] = [];
  let parts: Set<string> | undefined;
  for (const item of list ?? []) {
    const target = item.ResTarget;
    if (!target?.name) continue;
    if (target.indirection?.length) (parts ??= new Set()).add(target.name);
    else whole.push(target.name);
  }
  // Assigning a and a.x (or a[1]) in one statement is rejected too: report it as a repeat of a.
  // (Each part name is pushed once, and is distinct from the other part names, so the test sees only the whole ones.)
  if (parts) for (const name of parts) if (whole.includes(name)) whole.push(name);
  return whole;
}

/** Output column names of a SELECT as PostgreSQL derives them (alias, column name, function name, ?column?). */
function outputNames(select: Node | undefined): string[] {
  if (!select || select.op && select.op !== 'SETOP_NONE') return outputNames(select?.larg);
  if (select.valuesLists) return (select.valuesLists[0]?.List?.items ?? []).map((_: Node, i: number) => `column${i + 1}`);
  return (select.targetList ?? []).flatMap((item: Node) => {
    const target = item.ResTarget;
    if (target?.name) return [target.name];
    const value = target?.val;
    if (value?.ColumnRef) {
      const fields = value.ColumnRef.fields ?? [];
      const last = fields[fields.length - 1];
      return last?.A_Star ? [] : [last?.String?.sval ?? '?column?'];
    }
    if (value?.FuncCall) return [value.FuncCall.funcname?.at(-1)?.String?.sval ?? '?column?'];
    if (value?.TypeCast?.arg?.ColumnRef) return [value.TypeCast.arg.ColumnRef.fields?.at(-1)?.String?.sval ?? '?column?'];
    return ['?column?'];
  });
}
