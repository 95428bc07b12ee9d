import { columnConstraints, funcBaseName, typeBaseName, visit, type Node } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';
import { addedColumns, alterExistingTable } from './helpers.js';

/** Functions whose volatility is VOLATILE: a DEFAULT calling them is evaluated per row (table rewrite). */
export const VOLATILE_FUNCTIONS = new Set([
  'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'gen_random_bytes',
  'random', 'random_normal', 'setseed', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'pg_current_xact_id',
]);

/** Built-in functions known to be STABLE or IMMUTABLE: a DEFAULT calling them is evaluated once. */
const NON_VOLATILE_FUNCTIONS = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_timestamp', 'localtimestamp', 'current_date', 'current_setting',
  'lower', 'upper', 'concat', 'concat_ws', 'format', 'md5', 'length', 'substr', 'substring', 'replace', 'trim', 'btrim', 'ltrim', 'rtrim',
  'to_char', 'to_date', 'to_timestamp', 'to_number', 'date_trunc', 'date_part', 'timezone', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz',
  'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array', 'to_jsonb', 'to_json', 'array_fill', 'abs', 'round', 'floor', 'ceil',
  'greatest', 'least', 'nullif', 'inet', 'host', 'current_schema', 'current_user', 'session_user', 'uuid_nil', 'pg_backend_pid',
]);

const SERIAL = /^(small|big)?serial[248]?$/;

export const rule: Rule = {
  id: 'add-column-volatile-default',
  severity: 'error',
  category: 'column',
  summary: 'Column added to an existing table with a volatile default (`gen_random_uuid()`, `clock_timestamp()`, `random()`, `serial`/`bigserial`, identity).',
  why: 'A volatile default must be computed for every existing row, so PostgreSQL rewrites the whole table (and rebuilds its indexes) while holding an ACCESS EXCLUSIVE lock. A constant or STABLE default (now(), a literal) is stored once in the catalog and is instant since PostgreSQL 11.',
  safe: 'Add the column without the default (or with a constant one), SET DEFAULT in a following statement (applies to new rows only, instant), then backfill existing rows in batches.',
  bad: 'ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
  good: 'ALTER TABLE users ADD COLUMN public_id uuid;\nALTER TABLE users ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n-- then backfill existing rows in batches',
  kinds: ['AlterTableStmt'],
  check(statement, state) {
    const alter = alterExistingTable(statement.node, state);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const column of addedColumns(alter.cmds)) {
      const where = `column ${column.colname} added to existing table ${alter.name}`;
      const rewrite = 'rewrites the whole table under an ACCESS EXCLUSIVE lock';
      const typeName = typeBaseName(column.typeName);
      const constraints = columnConstraints(column);
      if (SERIAL.test(typeName)) {
        hits.push({
          message: `${where} as ${typeName}: its nextval() default ${rewrite}`,
          hint: `Add a plain ${typeName.startsWith('big') ? 'bigint' : typeName.startsWith('small') ? 'smallint' : 'integer'} column, create the sequence and SET DEFAULT nextval(…) (new rows only), then backfill existing rows in batches.`,
        });
        continue;
      }
      if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) {
        hits.push({ message: `${where} as an IDENTITY column: filling it for existing rows ${rewrite}` });
        continue;
      }
      const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      if (!defaultExpr || isNullConstant(defaultExpr)) continue;
      if (state.pgVersion < 11) {
        hits.push({ message: `${where} with a DEFAULT: before PostgreSQL 11 any default ${rewrite}`, hint: 'Add the column without a default, SET DEFAULT in a following statement, then backfill in batches.' });
        continue;
      }
      const { volatile, unknown } = classifyCalls(defaultExpr, state.schema.functions);
      if (volatile.length > 0) {
        hits.push({ message: `${where} with the volatile default ${volatile[0]}(): it is computed for every existing row, which ${rewrite}` });
      } else if (unknown.length > 0) {
        hits.push({
          message: `${where} with a default calling ${unknown[0]}(), which is not a built-in function ddlgate knows as IMMUTABLE or STABLE (functions are VOLATILE unless declared otherwise): if it is volatile the statement ${rewrite}`,
          hint: `Add the column without the default, SET DEFAULT ${unknown[0]}(…) afterwards (new rows only, instant) and backfill in batches; or, if ${unknown[0]}() is IMMUTABLE or STABLE, create it in an earlier migration of this directory with that volatility (ddlgate then knows) or suppress with -- ddlgate-ignore add-column-volatile-default: <reason>.`,
        });
      }
    }
    return hits;
  },
};

function isNullConstant(expr: Node): boolean {
  return !!expr.A_Const?.isnull;
}

/** Built-ins that take no argument: with arguments the call names some other (user-defined) function. */
const NO_ARGUMENTS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'timeofday', 'random', 'gen_random_uuid', 'uuid_generate_v4', 'current_schema', 'pg_backend_pid', 'uuid_nil']);

function classifyCalls(expr: Node, known: ReadonlyMap<string, string>): { volatile: string[]; unknown: string[] } {
  const volatile: string[] = [];
  const unknown: string[] = [];
  visit(expr, (value) => {
    if (!value.FuncCall) return;
    const name = funcBaseName(value.FuncCall);
    const declared = known.get(name);
    if (declared) {
      if (declared === 'volatile') volatile.push(name);
      return;
    }
    if (NO_ARGUMENTS.has(name) && (value.FuncCall.args ?? []).length > 0) unknown.push(name);
    else if (VOLATILE_FUNCTIONS.has(name)) volatile.push(name);
    else if (!NON_VOLATILE_FUNCTIONS.has(name)) unknown.push(name);
  });
  return { volatile, unknown };
}
