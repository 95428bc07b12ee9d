/**
 * A normalised description of a database's schema, read from pg_catalog with plain SQL (so it works
 * on any server and any host, without pg_dump), and its SHA-256 fingerprint. Used by `verify` (is the
 * schema after up → down the one before?), by `up` (the fingerprint stored per migration) and by drift
 * detection (does the live schema still match what the migrations produced?).
 *
 * Only what a migration defines is described: no data, no statistics, no OIDs, no owners or grants
 * (they differ between environments), no sequence positions. Extension members are represented by the
 * extension and its version, and the tracking schema is left out (ddlgate's own bookkeeping).
 */
import { createHash } from 'node:crypto';
import type { Client } from './connection.js';

/** object key (e.g. "column public.users.email") → attribute → value. */
export type CatalogSnapshot = Record<string, Record<string, string | null>>;

export interface CatalogDifference {
  object: string;
  attribute: string;
  before: string | null;
  after: string | null;
}

/** Schemas and objects every description leaves out: PostgreSQL's own and extension members. */
const USER_NAMESPACE = (alias: string) =>
  `${alias}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND ${alias}.nspname NOT LIKE 'pg\\_temp\\_%' AND ${alias}.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' AND ${alias}.nspname <> $1`;
const NOT_EXTENSION_MEMBER = (classId: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classId}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/**
 * Each query returns rows of (object, attribute, value). One query per object family keeps every
 * query simple and lets a failure point at the family.
 */
const QUERIES: Record<string, string> = {
  schemas: `
SELECT 'schema ' || n.nspname AS object, 'exists' AS attribute, 'yes' AS value
  FROM pg_namespace n WHERE ${USER_NAMESPACE('n')} AND n.nspname <> 'public' AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}`,

  relations: `
SELECT format('%s %s.%s', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
         WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' END, n.nspname, c.relname) AS object, x.attribute, x.value
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (VALUES
    ('kind', c.relkind::text),
    ('persistence', c.relpersistence::text),
    ('partition key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END),
    ('partition of', CASE WHEN c.relispartition THEN (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END),
    ('partition bound', CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END),
    ('row level security', CASE WHEN c.relrowsecurity THEN CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'enabled' END END),
    ('options', array_to_string(c.reloptions, ',')),
    ('definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END),
    ('comment', obj_description(c.oid, 'pg_class'))
  ) AS x(attribute, value)
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
   AND x.value IS NOT NULL`,

  columns: `
SELECT format('column %s.%s.%s', n.nspname, c.relname, a.attname) AS object, x.attribute, x.value
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  CROSS JOIN LATERAL (VALUES
    ('type', format_type(a.atttypid, a.atttypmod)),
    ('not null', CASE WHEN a.attnotnull THEN 'yes' ELSE 'no' END),
    ('default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END),
    ('generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END),
    ('identity', NULLIF(a.attidentity::text, '')),
    ('collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid) THEN a.attcollation::regcollation::text END),
    ('comment', col_description(c.oid, a.attnum))
  ) AS x(attribute, value)
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
   AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')} AND x.value IS NOT NULL`,

  // NOT NULL constraints (contype 'n', PostgreSQL 18) are left out: the column's "not null" says it on every major.
  constraints: `
SELECT format('constraint %s.%s.%s', n.nspname, c.relname, con.conname) AS object, x.attribute, x.value
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (VALUES ('definition', pg_get_constraintdef(con.oid)), ('deferrable', CASE WHEN con.condeferrable THEN CASE WHEN con.condeferred THEN 'initially deferred' ELSE 'deferrable' END END)) AS x(attribute, value)
 WHERE con.contype <> 'n' AND con.conrelid <> 0 AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')} AND x.value IS NOT NULL`,

  domainConstraints: `
SELECT format('constraint %s.%s.%s', n.nspname, t.typname, con.conname) AS object, 'definition' AS attribute, pg_get_constraintdef(con.oid) AS value
  FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE con.contypid <> 0 AND con.contype <> 'n' AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}`,

  indexes: `
SELECT format('index %s.%s', n.nspname, c.relname) AS object, x.attribute, x.value
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class t ON t.oid = i.indrelid
  CROSS JOIN LATERAL (VALUES ('definition', pg_get_indexdef(i.indexrelid)), ('valid', CASE WHEN i.indisvalid THEN 'yes' ELSE 'no' END)) AS x(attribute, value)
 WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 't.oid')}`,

  functions: `
SELECT format('%s %s.%s(%s)', CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' ELSE 'function' END,
         n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS object, x.attribute, x.value
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  CROSS JOIN LATERAL (VALUES
    ('definition', CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END),
    ('result', CASE WHEN p.prokind = 'a' THEN pg_get_function_result(p.oid) END),
    ('comment', obj_description(p.oid, 'pg_proc'))
  ) AS x(attribute, value)
 WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')} AND x.value IS NOT NULL`,

  triggers: `
SELECT format('trigger %s.%s.%s', n.nspname, c.relname, t.tgname) AS object, x.attribute, x.value
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (VALUES ('definition', pg_get_triggerdef(t.oid)), ('enabled', t.tgenabled::text)) AS x(attribute, value)
 WHERE NOT t.tgisinternal AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,

  sequences: `
SELECT format('sequence %s.%s', n.nspname, c.relname) AS object, x.attribute, x.value
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (VALUES
    ('type', format_type(s.seqtypid, NULL)), ('start', s.seqstart::text), ('increment', s.seqincrement::text),
    ('min', s.seqmin::text), ('max', s.seqmax::text), ('cache', s.seqcache::text), ('cycle', CASE WHEN s.seqcycle THEN 'yes' ELSE 'no' END),
    ('owned by', (SELECT format('%s.%s', d.refobjid::regclass::text, a.attname) FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1))
  ) AS x(attribute, value)
 WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')} AND x.value IS NOT NULL`,

  types: `
SELECT format('type %s.%s', n.nspname, t.typname) AS object, x.attribute, x.value
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  CROSS JOIN LATERAL (VALUES
    ('kind', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange' WHEN 'b' THEN 'base' END),
    ('labels', CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END),
    ('base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END),
    ('not null', CASE WHEN t.typtype = 'd' AND t.typnotnull THEN 'yes' END),
    ('default', CASE WHEN t.typtype = 'd' THEN t.typdefault END),
    ('subtype', CASE WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END),
    ('comment', obj_description(t.oid, 'pg_type'))
  ) AS x(attribute, value)
 WHERE t.typtype IN ('e', 'd', 'r', 'b') AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'i')
   AND t.typelem = 0 AND x.value IS NOT NULL`,

  extensions: `
SELECT 'extension ' || e.extname AS object, x.attribute, x.value
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  CROSS JOIN LATERAL (VALUES ('version', e.extversion), ('schema', n.nspname)) AS x(attribute, value)
 WHERE e.extname <> 'plpgsql' AND $1::text IS NOT NULL`,

  policies: `
SELECT format('policy %s.%s.%s', n.nspname, c.relname, p.polname) AS object, x.attribute, x.value
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (VALUES
    ('command', p.polcmd::text), ('permissive', CASE WHEN p.polpermissive THEN 'yes' ELSE 'no' END),
    ('roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ', ' ORDER BY 1) FROM unnest(p.polroles) AS r)),
    ('using', pg_get_expr(p.polqual, p.polrelid)), ('with check', pg_get_expr(p.polwithcheck, p.polrelid))
  ) AS x(attribute, value)
 WHERE ${USER_NAMESPACE('n')} AND x.value IS NOT NULL`,
};

/**
 * Reads the schema of the connected database, minus the tracking schema. Runs inside whatever
 * transaction the client is in, so `up` can fingerprint the schema a migration is about to commit.
 */
export async function snapshotCatalog(client: Client, trackingSchema: string): Promise<CatalogSnapshot> {
  const snapshot: CatalogSnapshot = {};
  const result = await client.query(SNAPSHOT_SQL, [trackingSchema]);
  for (const row of result.rows as Array<{ object: string; attribute: string; value: string | null }>) {
    (snapshot[row.object] ??= {})[row.attribute] = row.value;
  }
  return snapshot;
}

/** All catalog queries as one statement: `up` fingerprints inside the migration's transaction, one round trip. */
const SNAPSHOT_SQL = Object.values(QUERIES)
  .map((sql) => `(SELECT object::text, attribute::text, value::text FROM (${sql}) AS part)`)
  .join('\nUNION ALL\n');

/** SHA-256 of the snapshot in a canonical form (objects and attributes sorted). */
export function fingerprintOf(snapshot: CatalogSnapshot): string {
  const canonical = Object.keys(snapshot)
    .sort()
    .map((object) => [object, Object.keys(snapshot[object]!).sort().map((attribute) => [attribute, snapshot[object]![attribute]])]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export async function catalogFingerprint(client: Client, trackingSchema: string): Promise<string> {
  return fingerprintOf(await snapshotCatalog(client, trackingSchema));
}

/**
 * What changed from `before` to `after`, object by object: an object present on one side only is one
 * difference with attribute "exists"; otherwise one difference per attribute whose value changed.
 */
export function diffCatalogs(before: CatalogSnapshot, after: CatalogSnapshot): CatalogDifference[] {
  const differences: CatalogDifference[] = [];
  const objects = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const object of objects) {
    const a = before[object];
    const b = after[object];
    if (!a || !b) {
      differences.push({ object, attribute: 'exists', before: a ? 'yes' : 'no', after: b ? 'yes' : 'no' });
      continue;
    }
    for (const attribute of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const x = a[attribute] ?? null;
      const y = b[attribute] ?? null;
      if (x !== y) differences.push({ object, attribute, before: x, after: y });
    }
  }
  return differences;
}

/**
 * Folds the differences of an object's parts into their object where that reads better: a table that
 * exists on one side only is one line, not one line per column, constraint and index.
 */
export function summariseDifferences(differences: CatalogDifference[]): CatalogDifference[] {
  const wholeTables = new Map<string, 'before' | 'after'>();
  for (const d of differences) {
    const match = /^(?:table|view|materialized view|foreign table|type) (.+)$/.exec(d.object);
    if (match && d.attribute === 'exists') wholeTables.set(match[1]!, d.before === 'yes' ? 'before' : 'after');
  }
  if (wholeTables.size === 0) return differences;
  return differences.filter((d) => {
    const match = /^(?:column|constraint|trigger|policy) (.+)\.[^.]+$/.exec(d.object);
    return !(match && wholeTables.has(match[1]!));
  });
}

/** One line per difference, for text output and error messages. */
export function formatDifference(d: CatalogDifference): string {
  if (d.attribute === 'exists') return `${d.object}: ${d.before === 'yes' ? 'present before, missing after' : 'missing before, present after'}`;
  const show = (value: string | null) => (value === null ? '(none)' : JSON.stringify(value.length > 200 ? `${value.slice(0, 199)}…` : value));
  return `${d.object}: ${d.attribute} ${show(d.before)} → ${show(d.after)}`;
}
