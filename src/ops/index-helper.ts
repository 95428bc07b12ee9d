import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { quoteIdent } from '../db/connection.js';

/**
 * SQL for the indexes teams add most often — plain, unique, partial (`WHERE tenant_id = … `,
 * `WHERE deleted_at IS NULL`), covering — with every identifier quoted, so a column called "order"
 * or "userId" needs no thought.
 */
export interface IndexSpec {
  /** `table` or `schema.table`. */
  table: string;
  /** Column names, optionally followed by ASC/DESC and NULLS FIRST/LAST; anything else is an expression, e.g. `lower(email)`. */
  columns: string[];
  name?: string;
  unique?: boolean;
  /** Predicate of a partial index, as SQL. */
  where?: string;
  /** Extra columns stored in the index (INCLUDE), for index-only scans. */
  include?: string[];
  method?: 'btree' | 'hash' | 'gist' | 'spgist' | 'gin' | 'brin' | string;
  /** CREATE/DROP INDEX CONCURRENTLY (no long write lock; needs a migration outside a transaction). Default: INDEX_CONCURRENT=1. */
  concurrent?: boolean;
  ifNotExists?: boolean;
}

const PLAIN_COLUMN = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(\s+(?:ASC|DESC))?(\s+NULLS\s+(?:FIRST|LAST))?$/i;
const METHODS = new Set(['btree', 'hash', 'gist', 'spgist', 'gin', 'brin']);
const MAX_IDENTIFIER = 63;

export function concurrentByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.INDEX_CONCURRENT === '1' || env.INDEX_CONCURRENT?.toLowerCase() === 'true';
}

/** An identifier as given: quoted already (`"Foo"`) stays, a bare one is quoted as is. */
function ident(part: string): string {
  const trimmed = part.trim();
  if (/^"(?:[^"]|"")+"$/.test(trimmed)) return trimmed;
  if (!trimmed) throw new InputError('index: empty identifier');
  return quoteIdent(trimmed);
}

function unquoted(part: string): string {
  const trimmed = part.trim();
  return /^"(?:[^"]|"")+"$/.test(trimmed) ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}

/** Splits `schema.table` on the dot that is not inside double quotes. */
export function splitQualified(name: string): { schema: string | null; table: string } {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of name.trim()) {
    if (char === '"') quoted = !quoted;
    if (char === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  if (parts.length > 2 || parts.some((p) => !p.trim())) throw new InputError(`index: "${name}" is not a table name (expected table or schema.table)`);
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: null, table: parts[0]! };
}

function columnSql(column: string): string {
  const match = PLAIN_COLUMN.exec(column.trim());
  if (match) return `${ident(match[1]!)}${(match[2] ?? '').toUpperCase().replace(/\s+/g, ' ')}${(match[3] ?? '').toUpperCase().replace(/\s+/g, ' ')}`;
  // An expression (lower(email), (data->>'id')): PostgreSQL wants it in its own parentheses.
  const trimmed = column.trim();
  return trimmed.startsWith('(') && trimmed.endsWith(')') ? trimmed : `(${trimmed})`;
}

/** What a column contributes to a generated index name: the bare name, or the words of an expression. */
function namePart(column: string): string {
  const match = PLAIN_COLUMN.exec(column.trim());
  const raw = match ? unquoted(match[1]!) : column;
  return raw.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'expr';
}

/** PostgreSQL's own convention (users_email_idx, users_email_key), kept within 63 bytes with a hash when too long. */
export function defaultIndexName(spec: Pick<IndexSpec, 'table' | 'columns' | 'unique' | 'where'>): string {
  const table = namePart(splitQualified(spec.table).table);
  const suffix = spec.unique ? 'key' : 'idx';
  const name = [table, ...spec.columns.map(namePart), ...(spec.where ? ['partial'] : []), suffix].join('_');
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let head = name.slice(0, MAX_IDENTIFIER - hash.length - suffix.length - 2);
  while (Buffer.byteLength(head) > MAX_IDENTIFIER - hash.length - suffix.length - 2) head = head.slice(0, -1);
  return `${head}_${hash}_${suffix}`;
}

function validate(spec: IndexSpec): void {
  if (!spec.table?.trim()) throw new InputError('index: a table is required');
  if (!spec.columns?.length || spec.columns.some((c) => !c.trim())) throw new InputError(`index on ${spec.table}: at least one column is required`);
  if (spec.method && !METHODS.has(spec.method.toLowerCase())) throw new InputError(`index: unknown method "${spec.method}" (use one of ${[...METHODS].join(', ')})`);
  // The predicate and expressions are SQL text; a semicolon would smuggle a second statement in.
  for (const text of [spec.where ?? '', ...spec.columns]) {
    if (text.includes(';')) throw new InputError(`index: "${text}" must not contain a semicolon`);
  }
}

function qualifiedIndexName(spec: IndexSpec): string {
  const { schema } = splitQualified(spec.table);
  const name = spec.name ? ident(spec.name) : quoteIdent(defaultIndexName(spec));
  return schema ? `${ident(schema)}.${name}` : name;
}

export function buildCreateIndexSql(spec: IndexSpec): string {
  validate(spec);
  const concurrent = spec.concurrent ?? concurrentByDefault();
  const { schema, table } = splitQualified(spec.table);
  const target = schema ? `${ident(schema)}.${ident(table)}` : ident(table);
  const name = spec.name ? ident(spec.name) : quoteIdent(defaultIndexName(spec));
  const parts = [
    `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX ${concurrent ? 'CONCURRENTLY ' : ''}${spec.ifNotExists ? 'IF NOT EXISTS ' : ''}${name}`,
    `ON ${target}${spec.method && spec.method.toLowerCase() !== 'btree' ? ` USING ${spec.method.toLowerCase()}` : ''} (${spec.columns.map(columnSql).join(', ')})`,
  ];
  if (spec.include?.length) parts.push(`INCLUDE (${spec.include.map((c) => ident(c)).join(', ')})`);
  if (spec.where?.trim()) parts.push(`WHERE ${spec.where.trim()}`);
  return `${parts.join(' ')};`;
}

/** The DROP matching buildCreateIndexSql for the same spec (the index lives in its table's schema). */
export function buildDropIndexSql(spec: IndexSpec | { name: string; schema?: string; concurrent?: boolean }): string {
  const concurrent = spec.concurrent ?? concurrentByDefault();
  const qualified = 'table' in spec ? qualifiedIndexName(spec) : spec.schema ? `${ident(spec.schema)}.${ident(spec.name)}` : ident(spec.name);
  return `DROP INDEX ${concurrent ? 'CONCURRENTLY ' : ''}IF EXISTS ${qualified};`;
}

/** Parses the CLI form `table(col, lower(email), created_at DESC)` (commas inside parentheses do not split). */
export function parseIndexArgument(text: string): { table: string; columns: string[] } {
  const match = /^\s*([^()\s]+(?:\s*\.\s*[^()\s]+)?)\s*\((.*)\)\s*$/s.exec(text);
  if (!match) throw new InputError(`--index "${text}": expected table(column, …), e.g. users(email) or public.orders(tenant_id, created_at DESC)`);
  const columns: string[] = [];
  let depth = 0;
  let current = '';
  let quoted: string | null = null;
  for (const char of match[2]!) {
    if (quoted) {
      if (char === quoted) quoted = null;
    } else if (char === '"' || char === "'") quoted = char;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    if (char === ',' && depth === 0 && !quoted) {
      columns.push(current.trim());
      current = '';
    } else current += char;
  }
  columns.push(current.trim());
  if (columns.some((c) => !c)) throw new InputError(`--index "${text}": empty column in the list`);
  return { table: match[1]!.replace(/\s+/g, ''), columns };
}
