/**
 * The production statistics snapshot as data: its shape, its canonical (diff-friendly) serialisation,
 * redaction, reading a snapshot file, and looking a table up. Pure: no database, no printing.
 *
 * A snapshot holds statistics and identifiers only — never a row value. It deliberately never reads
 * pg_stats (most_common_vals and histogram_bounds are samples of the rows).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

export const SNAPSHOT_FORMAT = 'ddlgate-snapshot/1';

/** Where the workflows put the snapshot (the deploy writes it, the PR check reads it). */
export const DEFAULT_SNAPSHOT_PATH = '.ddlgate/production-snapshot.json';

export interface SnapshotColumn {
  name: string;
  type: string;
  notNull: boolean;
}

export interface SnapshotIndex {
  name: string;
  bytes: number;
  unique: boolean;
  primary: boolean;
  valid: boolean;
}

export interface SnapshotConstraint {
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion, n not null (PostgreSQL 18). */
  type: string;
  validated: boolean;
}

/** pg_stat_user_tables counters since `statsReset` of the snapshot (cumulative, not rates). */
export interface SnapshotActivity {
  seqScans: number;
  indexScans: number;
  inserts: number;
  updates: number;
  deletes: number;
  liveRows: number;
  deadRows: number;
  lastAutovacuum: string | null;
  lastAutoanalyze: string | null;
}

export interface SnapshotTable {
  kind: 'table' | 'partitioned table' | 'materialized view';
  /** Planner estimate (reltuples; n_live_tup when the table was never analyzed); null when unknown. */
  rows: number | null;
  heapBytes: number;
  indexBytes: number;
  toastBytes: number;
  columns: SnapshotColumn[];
  indexes: SnapshotIndex[];
  constraints: SnapshotConstraint[];
  activity: SnapshotActivity | null;
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  takenAt: string;
  server: { version: string; major: number };
  /** When the cumulative activity counters started (pg_stat_database.stats_reset), if known. */
  statsReset: string | null;
  /** Identifiers replaced by hashes (see `identifierHash`). */
  redacted: boolean;
  schema: {
    /** catalogFingerprint of the database (tracking schema excluded): the one `up` records. */
    fingerprint: string;
    /** object key ("column public.users.email") → hash of its definition: says *where* a drift is. */
    objects: Record<string, string>;
  };
  /** "schema.table" → statistics, sorted by key. */
  tables: Record<string, SnapshotTable>;
}

// ---- identifiers and redaction ---------------------------------------------------------------------

/**
 * A stable hash standing for one identifier: `h_` + 12 hex digits of SHA-256 (or of HMAC-SHA-256 when
 * a key is given, e.g. DDLGATE_REDACT_KEY). Without a key a guessed name can be confirmed by hashing it;
 * with a key it cannot, but then the PR check needs the key too (not available to fork PRs).
 */
export function identifierHash(name: string, key?: string): string {
  const digest = key ? createHmac('sha256', key).update(`ddlgate:${name}`).digest('hex') : createHash('sha256').update(`ddlgate:${name}`).digest('hex');
  return `h_${digest.slice(0, 12)}`;
}

/** The key of a table in `tables`: "schema.name" (each part hashed on its own in a redacted snapshot). */
export function tableKey(schema: string, name: string, redact?: { key?: string }): string {
  return redact ? `${identifierHash(schema, redact.key)}.${identifierHash(name, redact.key)}` : `${schema}.${name}`;
}

/** Object keys of the schema description are hashed whole: they mix kinds and several identifiers. */
export function objectKey(key: string, redact?: { key?: string }): string {
  return redact ? identifierHash(key, redact.key) : key;
}

const BUILTIN_TYPE = /^(?:bigint|integer|smallint|numeric|real|double precision|boolean|text|character varying|character|"char"|bytea|date|time(?:stamp)? with(?:out)? time zone|interval|uuid|jsonb?|xml|inet|cidr|macaddr8?|money|oid|tsvector|tsquery|point|line|lseg|box|path|polygon|circle|bit(?: varying)?|int4range|int8range|numrange|tsrange|tstzrange|daterange|name|regclass|pg_lsn)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*$/;

/**
 * Replaces every identifier of a snapshot by its hash: schema, table, column, index, constraint and
 * user-defined type names. Sizes, counters, built-in type names, versions and times stay readable.
 */
export function redactSnapshot(snapshot: Snapshot, key?: string): Snapshot {
  if (snapshot.redacted) return snapshot;
  const h = (name: string) => identifierHash(name, key);
  const tables: Record<string, SnapshotTable> = {};
  for (const [name, table] of Object.entries(snapshot.tables)) {
    const { schema, table: relname } = splitTableKey(name);
    tables[tableKey(schema, relname, { ...(key ? { key } : {}) })] = {
      ...table,
      columns: table.columns.map((c) => ({ name: h(c.name), type: BUILTIN_TYPE.test(c.type) ? c.type : h(c.type), notNull: c.notNull })),
      indexes: table.indexes.map((i) => ({ ...i, name: h(i.name) })),
      constraints: table.constraints.map((c) => ({ ...c, name: h(c.name) })),
    };
  }
  const objects: Record<string, string> = {};
  for (const [object, hash] of Object.entries(snapshot.schema.objects)) objects[objectKey(object, { ...(key ? { key } : {}) })] = hash;
  return canonicalSnapshot({ ...snapshot, redacted: true, schema: { fingerprint: snapshot.schema.fingerprint, objects }, tables });
}

/** "schema.table" → parts; a dot inside a quoted-free identifier cannot occur in a key built by tableKey from catalog names with dots, which are split at the first dot. */
export function splitTableKey(key: string): { schema: string; table: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { schema: 'public', table: key } : { schema: key.slice(0, dot), table: key.slice(dot + 1) };
}

// ---- canonical form --------------------------------------------------------------------------------

/** Same content, keys in one fixed order and lists sorted: two snapshots diff line by line. */
export function canonicalSnapshot(snapshot: Snapshot): Snapshot {
  const tables: Record<string, SnapshotTable> = {};
  for (const name of Object.keys(snapshot.tables).sort()) {
    const t = snapshot.tables[name]!;
    tables[name] = {
      kind: t.kind,
      rows: t.rows,
      heapBytes: t.heapBytes,
      indexBytes: t.indexBytes,
      toastBytes: t.toastBytes,
      // Columns keep their table order (attnum): that is how \d shows them and it is stable.
      columns: t.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull })),
      indexes: [...t.indexes].sort(byName).map((i) => ({ name: i.name, bytes: i.bytes, unique: i.unique, primary: i.primary, valid: i.valid })),
      constraints: [...t.constraints].sort(byName).map((c) => ({ name: c.name, type: c.type, validated: c.validated })),
      activity: t.activity
        ? {
            seqScans: t.activity.seqScans,
            indexScans: t.activity.indexScans,
            inserts: t.activity.inserts,
            updates: t.activity.updates,
            deletes: t.activity.deletes,
            liveRows: t.activity.liveRows,
            deadRows: t.activity.deadRows,
            lastAutovacuum: t.activity.lastAutovacuum,
            lastAutoanalyze: t.activity.lastAutoanalyze,
          }
        : null,
    };
  }
  const objects: Record<string, string> = {};
  for (const key of Object.keys(snapshot.schema.objects).sort()) objects[key] = snapshot.schema.objects[key]!;
  return {
    format: SNAPSHOT_FORMAT,
    takenAt: snapshot.takenAt,
    server: { version: snapshot.server.version, major: snapshot.server.major },
    statsReset: snapshot.statsReset,
    redacted: snapshot.redacted,
    schema: { fingerprint: snapshot.schema.fingerprint, objects },
    tables,
  };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(canonicalSnapshot(snapshot), null, 2)}\n`;
}

// ---- reading a snapshot file -----------------------------------------------------------------------

/** Reads and checks a snapshot file; anything wrong is one line naming the file (exit 2). */
export function readSnapshotFile(file: string): Snapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the snapshot file`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const match = /position (\d+)/.exec((error as Error).message);
    const line = match ? text.slice(0, Number(match[1])).split('\n').length : 1;
    throw new InputError(`${file}:${line}: not a JSON snapshot (${(error as Error).message.split('\n')[0]})`);
  }
  return validateSnapshot(data, file);
}

export function validateSnapshot(data: unknown, file: string): Snapshot {
  const fail = (what: string): never => {
    throw new InputError(`${file}: not a ddlgate snapshot: ${what}`);
  };
  if (!isObject(data)) return fail('the file must hold a JSON object');
  if (data.format !== SNAPSHOT_FORMAT) fail(`"format" must be "${SNAPSHOT_FORMAT}" (got ${JSON.stringify(data.format ?? null)}); take it with ddlgate snapshot`);
  if (typeof data.takenAt !== 'string') fail('"takenAt" must be a time');
  if (!isObject(data.server) || typeof data.server.major !== 'number') fail('"server.major" must be a number');
  if (!isObject(data.schema) || typeof data.schema.fingerprint !== 'string' || !isObject(data.schema.objects)) fail('"schema" must hold "fingerprint" and "objects"');
  if (!isObject(data.tables)) fail('"tables" must be an object');
  for (const [name, table] of Object.entries(data.tables as Record<string, unknown>)) {
    if (!isObject(table)) fail(`table "${name}" must be an object`);
    const t = table as Record<string, unknown>;
    if (t.rows !== null && !isCount(t.rows)) fail(`table "${name}": "rows" must be a number or null`);
    for (const key of ['heapBytes', 'indexBytes', 'toastBytes']) if (!isCount(t[key])) fail(`table "${name}": "${key}" must be a number`);
    if (!Array.isArray(t.columns) || !Array.isArray(t.indexes) || !Array.isArray(t.constraints)) fail(`table "${name}": "columns", "indexes" and "constraints" must be lists`);
  }
  return data as unknown as Snapshot;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

// ---- lookup ----------------------------------------------------------------------------------------

export interface TableStats {
  /** The table as the migration names it, schema-qualified ("public.orders"). */
  table: string;
  stats: SnapshotTable;
}

/**
 * The snapshot's statistics of a table named in a migration (schema defaults to public, as the
 * migrations' search_path normally resolves it); undefined when the snapshot does not know it.
 */
export function lookupTable(snapshot: Snapshot, ref: { schema?: string; name: string }, redactKey?: string): TableStats | undefined {
  const schema = ref.schema ?? 'public';
  const key = snapshot.redacted ? tableKey(schema, ref.name, { ...(redactKey ? { key: redactKey } : {}) }) : `${schema}.${ref.name}`;
  const stats = snapshot.tables[key];
  return stats ? { table: `${schema}.${ref.name}`, stats } : undefined;
}

export function totalBytes(table: SnapshotTable): number {
  return table.heapBytes + table.indexBytes + table.toastBytes;
}
