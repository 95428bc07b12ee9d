/**
 * The lock trace: what each statement of a dry-run really did, asked of the database rather than
 * guessed from the SQL. It plugs into runDryRun's StatementObserver and, on the dry-run's own backend
 * inside the rolled-back transaction, reads:
 *   - once at `begin`: every pre-existing table/index/view with its relfilenode, row estimate and pages;
 *   - before and after each statement: the relation locks this backend holds (one pg_locks query each);
 *   - once at `finish`: foreign keys left without a covering index.
 * Relations created by the dry-run itself are reported but never flagged: nobody else can be using them.
 */
import type { SqlStatement } from '../sql/statements.js';
import { nonTransactionalReason } from '../sql/transaction-rules.js';
import type { Client } from './connection.js';
import type { DryRunReport, DryRunStatement, LockInfo, StatementObserver } from './dry-run.js';
import { formatBytes } from '../units.js';

export type LockMode =
  | 'AccessShareLock'
  | 'RowShareLock'
  | 'RowExclusiveLock'
  | 'ShareUpdateExclusiveLock'
  | 'ShareLock'
  | 'ShareRowExclusiveLock'
  | 'ExclusiveLock'
  | 'AccessExclusiveLock';

/** What ordinary traffic a lock mode stops: reads are SELECT (ACCESS SHARE), writes are INSERT/UPDATE/DELETE (ROW EXCLUSIVE). */
export function blockedBy(mode: string): Array<'reads' | 'writes'> {
  switch (mode) {
    case 'AccessExclusiveLock':
      return ['reads', 'writes'];
    case 'ExclusiveLock':
    case 'ShareRowExclusiveLock':
    case 'ShareLock':
      return ['writes'];
    default:
      return [];
  }
}

/** "AccessExclusiveLock" → "ACCESS EXCLUSIVE", as the PostgreSQL documentation names the modes. */
export function lockModeLabel(mode: string): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

export interface TracedLock extends LockInfo {
  /** false: the relation was created by this dry-run (harmless: nobody else can see it yet). */
  preExisting: boolean;
  kind: RelationKind;
  /** The mode the dry-run observed when it differs from the real run's (a CONCURRENTLY statement validated without it). */
  observedMode?: string;
  /** An earlier migration of the same dry-run already held this lock, so it was inferred from the statement. */
  inferred?: boolean;
}

export interface TouchedTable {
  relation: string;
  /** Estimated rows (pg_class.reltuples; the live-tuple counter when the table was never analysed). */
  rows: number | null;
  /** Estimated size in bytes (relpages × block size; measured when the table was never vacuumed or analysed). */
  sizeBytes: number | null;
}

export type FlagKind = 'access-exclusive' | 'share-lock' | 'rewrite' | 'lock-held' | 'no-lock-timeout' | 'fk-without-index';

export interface TraceFlag {
  kind: FlagKind;
  relation: string;
  message: string;
  rows?: number | null;
  sizeBytes?: number | null;
  mode?: string;
  [extra: string]: unknown;
}

export interface UnindexedForeignKey {
  constraint: string;
  table: string;
  columns: string[];
  references: string;
}

/** Fields the trace adds to each DryRunStatement (through its index signature). */
export interface TracedStatementFields {
  locks: TracedLock[];
  rewrites: string[];
  touched: TouchedTable[];
  flags: TraceFlag[];
}

export type RelationKind = 'table' | 'partitioned table' | 'index' | 'partitioned index' | 'view' | 'materialized view' | 'sequence' | 'foreign table' | 'other';

const KINDS: Record<string, RelationKind> = { r: 'table', p: 'partitioned table', i: 'index', I: 'partitioned index', v: 'view', m: 'materialized view', S: 'sequence', f: 'foreign table' };
const TABLE_KINDS = new Set<RelationKind>(['table', 'partitioned table', 'materialized view']);

interface Relation {
  oid: string;
  name: string;
  kind: RelationKind;
  filenode: string | null;
  rows: number | null;
  sizeBytes: number | null;
}

interface HeldLock {
  /** Not observed but inferred from the statement (see applyTrace). */
  inferred?: boolean;
  oid: string;
  name: string | null;
  kind: RelationKind;
  mode: string;
  filenode: string | null;
  measuredBytes: number | null;
}

interface LockState {
  locks: HeldLock[];
  lockTimeout: string;
}

const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

/**
 * One query for the whole database: the relations that exist before the dry-run. reltuples/relpages
 * are the planner's estimates (no lock, no file access); pg_stat_get_live_tuples fills in for a table
 * never analysed (reltuples = -1 since PostgreSQL 14, 0 before).
 */
const SNAPSHOT_SQL = `
SELECT c.oid::text AS oid, format('%s.%s', n.nspname, c.relname) AS name, c.relkind::text AS relkind,
       pg_relation_filenode(c.oid)::text AS filenode, c.reltuples::float8 AS reltuples, c.relpages::int8 AS relpages,
       pg_stat_get_live_tuples(c.oid)::int8 AS live, current_setting('block_size')::int8 AS block_size
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm', 'S', 'f') AND ${SYSTEM_SCHEMAS} AND n.nspname <> $1`;

/**
 * The relation locks this backend holds, as one row (so the lock_timeout setting comes along even
 * when no lock is held). pg_locks is read before anything else in the query is evaluated, so the
 * size measurement ($2: only for tables never vacuumed or analysed, once each) never shows up as a
 * lock of its own statement. LEFT JOIN: a relation the
 * statement dropped is still locked but gone from pg_class; its name comes from the snapshot.
 */
const LOCKS_SQL = `
SELECT current_setting('lock_timeout') AS lock_timeout, coalesce(json_agg(json_build_object(
         'oid', l.relation::text, 'mode', l.mode, 'name', CASE WHEN c.oid IS NOT NULL THEN format('%s.%s', n.nspname, c.relname) END,
         'relkind', c.relkind::text, 'filenode', pg_relation_filenode(c.oid)::text,
         'measured', CASE WHEN $2::bool AND c.relkind IN ('r', 'm') AND c.relpages = 0 AND NOT l.relation::text = ANY ($3::text[]) THEN pg_table_size(c.oid) END)), '[]') AS locks
  FROM pg_locks l
  LEFT JOIN pg_class c ON c.oid = l.relation
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND (c.oid IS NULL OR (${SYSTEM_SCHEMAS} AND n.nspname <> $1))
   AND NOT (l.relation::text || '/' || l.mode) = ANY ($4::text[])`;

/**
 * Foreign keys whose referencing columns are not the leading columns (in any order) of a
 * non-partial index: every DELETE or key UPDATE on the referenced table scans the referencing one.
 */
const UNINDEXED_FK_SQL = `
SELECT con.conname AS constraint, format('%s.%s', n.nspname, rel.relname) AS table, con.confrelid::regclass::text AS references,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns
  FROM pg_constraint con
  JOIN pg_class rel ON rel.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = rel.relnamespace
 WHERE con.contype = 'f' AND con.conparentid = 0 AND ${SYSTEM_SCHEMAS} AND n.nspname <> $1
   AND NOT EXISTS (
     SELECT 1 FROM pg_index i
      WHERE i.indrelid = con.conrelid AND i.indpred IS NULL
        AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
        AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] <@ con.conkey)
 ORDER BY 2, 1`;

export interface LockTraceOptions {
  /** Tracking schema: its tables are ddlgate's own and never reported. */
  schema: string;
}

export interface LockTrace extends StatementObserver {
  /** Foreign keys the dry-run left without a covering index (filled by `finish`). */
  readonly unindexedForeignKeys: UnindexedForeignKey[];
}

/** Per-statement bookkeeping between `before` and `after`. */
interface Pending {
  before: LockState;
}

export function createLockTrace(options: LockTraceOptions): LockTrace {
  const snapshot = new Map<string, Relation>();
  let fkBefore = new Set<string>();
  let pending: Pending | undefined;
  /** "oid/mode" locks taken by the current migration's own statements (a new migration starts when statement indexes restart). */
  const migrationLocks = new Set<string>();
  let lastIndex = -1;
  let lastAfter: LockState | undefined;
  const measured = new Map<string, number>();
  const unindexed: UnindexedForeignKey[] = [];

  /** The lock query with its values inlined (the schema is a validated plain identifier, oids are digits), so it can share a round trip. */
  const textArray = (values: string[]) => `ARRAY[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(',')}]::text[]`;
  const inlineLocksSql = (measure: boolean, skip: string[]): string =>
    LOCKS_SQL.replaceAll('$1', `'${options.schema.replace(/'/g, "''")}'`)
      .replaceAll('$2::bool', measure ? 'true' : 'false')
      .replaceAll('$3::text[]', textArray([...measured.keys()]))
      .replaceAll('$4::text[]', textArray(skip));
  const readLocks = async (client: Client, measure: boolean): Promise<LockState> => parseLocks((await client.query(LOCKS_SQL, [options.schema, measure, [...measured.keys()], []])).rows[0]);
  /**
   * Locks on objects the dry-run itself created stay held to the end of the transaction and never matter
   * (nothing else can see those objects): once seen, the probe leaves them out instead of returning a
   * list that grows with every migration, and they are carried over from the last reading.
   */
  const carriedOver = (state: LockState | undefined) => (state?.locks ?? []).filter((lock) => !snapshot.has(lock.oid));
  let probeSkips: HeldLock[] = [];
  const parseLocks = (row: any): LockState => {
    const raw = (typeof row.locks === 'string' ? JSON.parse(row.locks) : row.locks) as Array<{ oid: string; mode: string; name: string | null; relkind: string | null; filenode: string | null; measured: number | null }>;
    return {
      lockTimeout: row.lock_timeout,
      // A lock on a relation gone from pg_class and unknown to the snapshot was created and dropped by
      // the dry-run itself (e.g. the transient heap of a table rewrite): nothing anyone else could see.
      locks: raw.filter((l) => l.name !== null || snapshot.has(l.oid)).map((l) => ({
        oid: l.oid,
        mode: l.mode,
        name: l.name ?? snapshot.get(l.oid)?.name ?? null,
        kind: l.relkind ? (KINDS[l.relkind] ?? 'other') : (snapshot.get(l.oid)?.kind ?? 'other'),
        filenode: l.filenode,
        measuredBytes: l.measured === null || l.measured === undefined ? null : Number(l.measured),
      })),
    };
  };

  const fkKey = (fk: UnindexedForeignKey) => `${fk.table}\u0000${fk.constraint}`;

  return {
    unindexedForeignKeys: unindexed,

    async begin(client) {
      const result = await client.query(SNAPSHOT_SQL, [options.schema]);
      for (const row of result.rows) {
        const reltuples = Number(row.reltuples);
        const relpages = Number(row.relpages);
        const live = row.live === null ? null : Number(row.live);
        // reltuples is -1 (14+) or 0 with relpages 0 (older) for a table never vacuumed or analysed.
        const analysed = reltuples > 0 || (reltuples === 0 && relpages > 0);
        snapshot.set(row.oid, {
          oid: row.oid,
          name: row.name,
          kind: KINDS[row.relkind] ?? 'other',
          filenode: row.filenode,
          rows: analysed ? Math.round(reltuples) : live,
          sizeBytes: relpages > 0 ? relpages * Number(row.block_size) : null,
        });
      }
      fkBefore = new Set((await client.query(UNINDEXED_FK_SQL, [options.schema])).rows.map((row) => fkKey(row as UnindexedForeignKey)));
    },

    async before(client, statement) {
      if (statement.index <= lastIndex) migrationLocks.clear();
      // The locks held now are the ones read after the last statement that succeeded (releasing a savepoint
      // keeps them): reuse that reading, one round trip per statement instead of two. After a failed
      // statement (a "before" with no "after"), the rollback to the savepoint released locks: read again.
      const reusable = pending === undefined && lastAfter !== undefined;
      lastIndex = statement.index;
      pending = { before: reusable ? lastAfter! : await readLocks(client, false) };
    },

    probeSql() {
      probeSkips = pending ? carriedOver(pending.before) : [];
      return inlineLocksSql(true, probeSkips.map((lock) => `${lock.oid}/${lock.mode}`));
    },

    async after(client, statement, result, probeRows) {
      const before = pending?.before ?? { locks: [], lockTimeout: '' };
      pending = undefined;
      let after: LockState;
      if (probeRows?.[0]) {
        const probed = parseLocks(probeRows[0]);
        after = { ...probed, locks: [...probed.locks, ...probeSkips] };
      } else after = await readLocks(client, true);
      probeSkips = [];
      lastAfter = after;
      for (const lock of after.locks) if (lock.measuredBytes !== null && !measured.has(lock.oid)) measured.set(lock.oid, lock.measuredBytes);
      const heldBefore = new Set(before.locks.map((l) => `${l.oid}/${l.mode}`));
      for (const lock of after.locks) if (!heldBefore.has(`${lock.oid}/${lock.mode}`)) migrationLocks.add(`${lock.oid}/${lock.mode}`);
      applyTrace(result, statement, before, after);
      for (const lock of result.locks as TracedLock[]) if (lock.inferred) migrationLocks.add(`${after.locks.find((l) => l.name === lock.relation)?.oid}/${lock.mode}`);
    },

    async finish(client, report) {
      const rows = (await client.query(UNINDEXED_FK_SQL, [options.schema])).rows as UnindexedForeignKey[];
      for (const fk of rows) if (!fkBefore.has(fkKey(fk))) unindexed.push(fk);
      markHeldLocks(report);
      const flags: TraceFlag[] = unindexed.map((fk) => ({
        kind: 'fk-without-index',
        relation: fk.table,
        message: `foreign key ${fk.constraint} on ${fk.table} (${fk.columns.join(', ')}) → ${fk.references} has no index on its columns: every DELETE or key UPDATE on ${fk.references} scans ${fk.table}`,
        constraint: fk.constraint,
        columns: fk.columns,
        references: fk.references,
      }));
      report.unindexedForeignKeys = unindexed;
      report.flags = [...((report.flags as TraceFlag[] | undefined) ?? []), ...flags];
    },
  };

  function describe(relation: Relation | undefined, oid: string): TouchedTable {
    const size = relation?.sizeBytes ?? measured.get(oid) ?? null;
    return { relation: relation?.name ?? `relation ${oid}`, rows: relation?.rows ?? null, sizeBytes: size };
  }

  function applyTrace(result: DryRunStatement, statement: SqlStatement, before: LockState, after: LockState): void {
    const held = new Set(before.locks.map((l) => `${l.oid}/${l.mode}`));
    const filenodeBefore = new Map(before.locks.map((l) => [l.oid, l.filenode]));
    const concurrent = nonTransactionalReason(statement);
    const locks: TracedLock[] = [];
    const rewrites: string[] = [];
    const touched = new Map<string, TouchedTable>();
    const flags: TraceFlag[] = [];
    const newLocks = after.locks.filter((l) => !held.has(`${l.oid}/${l.mode}`));
    // Only the strongest new mode per relation matters to a reader (ALTER TABLE also takes weaker ones).
    const strongest = new Map<string, HeldLock>();
    for (const lock of newLocks) {
      const current = strongest.get(lock.oid);
      if (!current || MODE_ORDER.indexOf(lock.mode as LockMode) > MODE_ORDER.indexOf(current.mode as LockMode)) strongest.set(lock.oid, lock);
    }
    // The dry-run runs all migrations in one transaction, so a lock an earlier migration took is still
    // held and PostgreSQL does not list it again. In the real run that migration has committed: infer
    // the lock this statement needs on such a relation from the statement itself.
    // (PostgreSQL records each mode separately, so only the very same mode can be hidden this way.)
    for (const expected of expectedLocks(statement)) {
      const held = before.locks.find((l) => l.name !== null && l.mode === expected.mode && matchesRef(l.name, expected));
      if (!held || migrationLocks.has(`${held.oid}/${held.mode}`)) continue;
      const current = strongest.get(held.oid);
      if (current && MODE_ORDER.indexOf(current.mode as LockMode) >= MODE_ORDER.indexOf(expected.mode)) continue;
      strongest.set(held.oid, { ...held, inferred: true });
    }
    for (const lock of [...strongest.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))) {
      const relation = snapshot.get(lock.oid);
      const name = lock.name ?? relation?.name ?? `relation ${lock.oid}`;
      let mode = lock.mode;
      let observedMode: string | undefined;
      // The dry-run runs CREATE/DROP INDEX, REINDEX, DETACH … CONCURRENTLY without the keyword (a
      // transaction cannot run them); the real statement takes SHARE UPDATE EXCLUSIVE, not what we saw.
      if (concurrent?.includes('CONCURRENTLY') && MODE_ORDER.indexOf(mode as LockMode) > MODE_ORDER.indexOf('ShareUpdateExclusiveLock')) {
        observedMode = mode;
        mode = 'ShareUpdateExclusiveLock';
      }
      locks.push({ relation: name, mode, blocks: blockedBy(mode), preExisting: Boolean(relation), kind: lock.kind, ...(observedMode ? { observedMode } : {}), ...(lock.inferred ? { inferred: true } : {}) });
      if (!relation || !TABLE_KINDS.has(relation.kind)) continue;
      const info = describe(relation, lock.oid);
      touched.set(lock.oid, info);
      if (mode === 'AccessExclusiveLock') {
        flags.push({ kind: 'access-exclusive', relation: name, mode, rows: info.rows, sizeBytes: info.sizeBytes, message: `ACCESS EXCLUSIVE lock on ${name} (${sizeText(info)}): blocks reads and writes until the transaction ends` });
      } else if (blockedBy(mode).length > 0) {
        flags.push({ kind: 'share-lock', relation: name, mode, rows: info.rows, sizeBytes: info.sizeBytes, message: `${lockModeLabel(mode)} lock on ${name} (${sizeText(info)}): blocks writes until the transaction ends` });
      }
    }
    // Rewrites: a pre-existing relation whose file changed during this statement. A relation not locked
    // before the statement still has its original file (a rolled-back rewrite restores it).
    for (const lock of after.locks) {
      const relation = snapshot.get(lock.oid);
      if (!relation || relation.filenode === null || lock.filenode === null) continue;
      const previous = filenodeBefore.has(lock.oid) ? filenodeBefore.get(lock.oid) : relation.filenode;
      if (previous === lock.filenode || rewrites.includes(relation.name)) continue;
      rewrites.push(relation.name);
      if (concurrent?.includes('CONCURRENTLY')) continue;
      if (TABLE_KINDS.has(relation.kind)) {
        const info = describe(relation, lock.oid);
        touched.set(lock.oid, info);
        flags.push({ kind: 'rewrite', relation: relation.name, rows: info.rows, sizeBytes: info.sizeBytes, message: `rewrites ${relation.name} (${sizeText(info)}): every row is copied while the lock is held` });
      }
    }
    // A touched table with lock_timeout 0 waits for its lock forever, and everyone queues behind it.
    const waitsForever = /^0(ms|s|min|h|d)?$/.test(after.lockTimeout.trim());
    if (waitsForever) {
      for (const lock of locks.filter((l) => l.preExisting && TABLE_KINDS.has(l.kind))) {
        flags.push({ kind: 'no-lock-timeout', relation: lock.relation, mode: lock.mode, message: `${lock.relation} is locked (${lockModeLabel(lock.mode)}) while lock_timeout is 0: the statement may wait forever, and every query on ${lock.relation} queues behind it` });
      }
    }
    const fields: TracedStatementFields = { locks, rewrites: rewrites.sort(), touched: [...touched.values()], flags };
    Object.assign(result, fields);
  }
}

const MODE_ORDER: LockMode[] = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];

/**
 * In a transactional migration every lock lasts until COMMIT: a blocking lock taken by one statement
 * is still held while all later statements of the same migration run.
 */
export function markHeldLocks(report: DryRunReport): void {
  for (const migration of report.migrations) {
    if (!migration.transactional) continue;
    const statements = migration.statements;
    for (const [index, statement] of statements.entries()) {
      const later = statements.slice(index + 1).filter((s) => !s.note?.startsWith('resumed'));
      if (later.length === 0) continue;
      const blocking = (statement.locks as TracedLock[]).filter((l) => l.preExisting !== false && blockedBy(l.mode).length > 0 && (l.kind === undefined || TABLE_KINDS.has(l.kind)));
      if (blocking.length === 0) continue;
      const flags = ((statement.flags as TraceFlag[] | undefined) ?? []).filter((f) => f.kind !== 'lock-held');
      const last = later[later.length - 1]!;
      const laterMs = later.reduce((sum, s) => sum + s.durationMs, 0);
      for (const lock of blocking) {
        flags.push({
          kind: 'lock-held',
          relation: lock.relation,
          mode: lock.mode,
          laterStatements: later.length,
          message: `${lockModeLabel(lock.mode)} on ${lock.relation} stays held while ${later.length} later statement(s) run (lines ${later[0]!.line}–${last.line}, ${Math.round(laterMs)} ms in the dry-run): it blocks ${blockedBy(lock.mode).join(' and ')} until COMMIT`,
        });
      }
      statement.flags = flags;
    }
  }
}

/** "~100,000 rows, 4.3 MB" for messages; "size unknown" when the table was never analysed. */
export function sizeText(info: Pick<TouchedTable, 'rows' | 'sizeBytes'>): string {
  const parts: string[] = [];
  if (info.rows !== null && info.rows !== undefined) parts.push(`~${info.rows.toLocaleString('en-US')} rows`);
  if (info.sizeBytes !== null && info.sizeBytes !== undefined) parts.push(formatBytes(info.sizeBytes));
  return parts.length ? parts.join(', ') : 'size unknown';
}


export interface ExpectedLock {
  schema?: string;
  name: string;
  mode: LockMode;
}

/** ALTER TABLE subcommands lighter than ACCESS EXCLUSIVE (PostgreSQL documentation, ALTER TABLE). */
const ALTER_TABLE_MODES: Record<string, LockMode> = {
  AT_ValidateConstraint: 'ShareUpdateExclusiveLock',
  AT_SetStatistics: 'ShareUpdateExclusiveLock',
  AT_SetOptions: 'ShareUpdateExclusiveLock',
  AT_ResetOptions: 'ShareUpdateExclusiveLock',
  AT_SetRelOptions: 'ShareUpdateExclusiveLock',
  AT_ResetRelOptions: 'ShareUpdateExclusiveLock',
  AT_ClusterOn: 'ShareUpdateExclusiveLock',
  AT_DropCluster: 'ShareUpdateExclusiveLock',
  AT_AttachPartition: 'ShareUpdateExclusiveLock',
  AT_EnableTrig: 'ShareRowExclusiveLock',
  AT_EnableAlwaysTrig: 'ShareRowExclusiveLock',
  AT_EnableReplicaTrig: 'ShareRowExclusiveLock',
  AT_DisableTrig: 'ShareRowExclusiveLock',
  AT_EnableTrigAll: 'ShareRowExclusiveLock',
  AT_DisableTrigAll: 'ShareRowExclusiveLock',
  AT_EnableTrigUser: 'ShareRowExclusiveLock',
  AT_DisableTrigUser: 'ShareRowExclusiveLock',
};

const strongestOf = (modes: LockMode[]): LockMode => modes.reduce((a, b) => (MODE_ORDER.indexOf(b) > MODE_ORDER.indexOf(a) ? b : a), 'AccessShareLock');

/**
 * The lock a statement needs on the relation it names, from its parse tree (only used where the
 * database cannot show it: see applyTrace). Covers DDL and DML on one named relation.
 */
export function expectedLocks(statement: Pick<SqlStatement, 'node'>): ExpectedLock[] {
  const node = statement.node;
  const ref = (rv: any): Omit<ExpectedLock, 'mode'> | undefined => (rv?.relname ? { ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname } : undefined);
  const one = (rv: any, mode: LockMode): ExpectedLock[] => {
    const r = ref(rv);
    return r ? [{ ...r, mode }] : [];
  };
  if (node.AlterTableStmt) {
    const cmds = (node.AlterTableStmt.cmds ?? []).map((c: any) => c.AlterTableCmd ?? {});
    const modes = cmds.map((cmd: any): LockMode => {
      if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN') return 'ShareRowExclusiveLock';
      if (cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) return 'ShareUpdateExclusiveLock';
      return ALTER_TABLE_MODES[cmd.subtype] ?? 'AccessExclusiveLock';
    });
    return one(node.AlterTableStmt.relation, modes.length ? strongestOf(modes) : 'AccessExclusiveLock');
  }
  if (node.IndexStmt) return one(node.IndexStmt.relation, node.IndexStmt.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock');
  if (node.CreateTrigStmt) return one(node.CreateTrigStmt.relation, 'ShareRowExclusiveLock');
  if (node.RenameStmt?.relation) return one(node.RenameStmt.relation, 'AccessExclusiveLock');
  if (node.RefreshMatViewStmt) return one(node.RefreshMatViewStmt.relation, node.RefreshMatViewStmt.concurrent ? 'ExclusiveLock' : 'AccessExclusiveLock');
  if (node.ClusterStmt?.relation) return one(node.ClusterStmt.relation, 'AccessExclusiveLock');
  if (node.TruncateStmt) return (node.TruncateStmt.relations ?? []).flatMap((r: any) => one(r.RangeVar, 'AccessExclusiveLock'));
  if (node.LockStmt) {
    const mode = MODE_ORDER[(node.LockStmt.mode ?? 8) - 1] ?? 'AccessExclusiveLock';
    return (node.LockStmt.relations ?? []).flatMap((r: any) => one(r.RangeVar, mode));
  }
  if (node.DropStmt && ['OBJECT_TABLE', 'OBJECT_MATVIEW', 'OBJECT_VIEW'].includes(node.DropStmt.removeType)) {
    return (node.DropStmt.objects ?? []).flatMap((o: any) => {
      const names = (o.List?.items ?? []).map((i: any) => i.String?.sval).filter(Boolean) as string[];
      if (!names.length) return [];
      return [{ ...(names.length > 1 ? { schema: names[names.length - 2] } : {}), name: names[names.length - 1]!, mode: 'AccessExclusiveLock' as LockMode }];
    });
  }
  if (node.InsertStmt) return one(node.InsertStmt.relation, 'RowExclusiveLock');
  if (node.UpdateStmt) return one(node.UpdateStmt.relation, 'RowExclusiveLock');
  if (node.DeleteStmt) return one(node.DeleteStmt.relation, 'RowExclusiveLock');
  return [];
}

/** "public.accounts" matches a reference to accounts, or to public.accounts. */
function matchesRef(qualified: string, ref: Omit<ExpectedLock, 'mode'>): boolean {
  const dot = qualified.indexOf('.');
  const schema = qualified.slice(0, dot);
  const name = qualified.slice(dot + 1);
  return name === ref.name && (ref.schema === undefined || ref.schema === schema);
}

