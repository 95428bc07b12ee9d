/**
 * `ddlgate adopt --from <tool>`: takes over the record of what another migration tool applied. Reads that
 * tool's tracking table (SELECT only: it is never modified), matches each applied entry to a migration
 * file, and records those as applied in ddlgate's schema_migrations with a `baseline` history row each, so
 * `up` afterwards runs only what was never applied. Refuses, naming the version, when the other tool's
 * state is dirty or failed: adopting a half-applied migration would hide it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, OperationError } from '../errors.js';
import { closeQuietly, connect, quoteIdent, type Client } from '../db/connection.js';
import { withMigrationSession, type SessionOptions } from '../db/session.js';
import { compareVersions } from '../db/status.js';
import { historyInsertSql, nextBatch, readAppliedRows } from '../db/tracking.js';
import { displayPath, entriesOf, type MigrationSet } from './discover.js';
import { readDrizzleJournal } from './layouts/drizzle.js';
import { checksumOfFile } from './script.js';
import type { LayoutName, MigrationEntry } from './types.js';

export const ADOPT_SOURCES = ['drizzle', 'node-pg-migrate', 'golang-migrate', 'dbmate', 'flyway', 'schema-migrations'] as const;
export type AdoptSource = (typeof ADOPT_SOURCES)[number];

/** Where each tool keeps its record by default (`--table` overrides). */
export const DEFAULT_TABLES: Record<AdoptSource, string> = {
  drizzle: 'drizzle.__drizzle_migrations',
  'node-pg-migrate': 'public.pgmigrations',
  'golang-migrate': 'public.schema_migrations',
  dbmate: 'public.schema_migrations',
  flyway: 'public.flyway_schema_history',
  'schema-migrations': 'public.schema_migrations',
};

/** Columns that identify each tool's table: a table without them belongs to another tool. */
const REQUIRED_COLUMNS: Record<AdoptSource, string[]> = {
  drizzle: ['hash', 'created_at'],
  'node-pg-migrate': ['name', 'run_on'],
  'golang-migrate': ['version', 'dirty'],
  dbmate: ['version'],
  flyway: ['installed_rank', 'version', 'type', 'script', 'success'],
  'schema-migrations': ['version', 'checksum', 'status'],
};

export interface AdoptOptions extends SessionOptions {
  dir: string;
  layout?: LayoutName;
  /** The migrations as the command read them; `dir` is read when absent. */
  set?: MigrationSet;
  from: AdoptSource;
  /** `schema.table` of the other tool's record; default DEFAULT_TABLES[from]. */
  table?: string;
  /** Report what would be adopted without writing anything. */
  dryRun?: boolean;
}

export interface AdoptedMigration {
  version: string;
  name: string;
  path: string;
  /** How the other tool's entry was matched to the file, e.g. "hash", "name", "version ≤ 3". */
  matchedBy: string;
  appliedAt: string | null;
}

export interface AdoptReport {
  from: AdoptSource;
  table: string;
  dryRun: boolean;
  batch: number | null;
  adopted: AdoptedMigration[];
  /** Versions ddlgate already records: left as they are. */
  alreadyRecorded: string[];
  /** Entries of the other tool's table that match no file. */
  withoutFile: Array<{ entry: string; appliedAt: string | null }>;
  /** Files that look applied (older than what the tool applied, or inside its range) but that it never recorded. */
  unrecorded: Array<{ version: string; name: string; path: string; reason: string }>;
  /** Versions left for `ddlgate up`. */
  pending: string[];
  notes: string[];
}

interface Match {
  entry: MigrationEntry;
  matchedBy: string;
  appliedAt: Date | null;
}

interface ForeignState {
  matches: Match[];
  withoutFile: Array<{ entry: string; appliedAt: Date | null }>;
  unrecorded: Array<{ entry: MigrationEntry; reason: string }>;
  notes: string[];
}

export function parseAdoptSource(value: string): AdoptSource {
  if (!(ADOPT_SOURCES as readonly string[]).includes(value)) throw new InputError(`--from: "${value}" is not a supported tool (${ADOPT_SOURCES.join(', ')})`);
  return value as AdoptSource;
}

export function parseTableName(value: string): { schema: string; table: string } {
  const match = /^(?:([A-Za-z_][A-Za-z0-9_$]*)\.)?([A-Za-z_][A-Za-z0-9_$]*)$/.exec(value);
  if (!match) throw new InputError(`--table: "${value}" must be table or schema.table (plain identifiers)`);
  return { schema: match[1] ?? 'public', table: match[2]! };
}

const sameVersion = (a: string, b: string) => /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) === BigInt(b) : a === b;
const byVersion = (entries: MigrationEntry[], version: string) => entries.find((entry) => sameVersion(entry.version, version));
const fileBase = (entry: MigrationEntry) => path.basename(entry.upPath).replace(/\.sql$/i, '');
const SUCCESS_STATUS = new Set(['applied', 'success', 'succeeded', 'successful', 'complete', 'completed', 'done', 'ok', 'migrated']);

/** Files older than the newest matched one that the tool has no record of: they look applied, yet nothing says so. */
function gaps(entries: MigrationEntry[], matches: Match[], reason: string): Array<{ entry: MigrationEntry; reason: string }> {
  const matched = new Set(matches.map((m) => m.entry));
  const newest = matches.map((m) => m.entry.version).sort(compareVersions).pop();
  if (!newest) return [];
  return entries.filter((entry) => !matched.has(entry) && compareVersions(entry.version, newest) < 0).map((entry) => ({ entry, reason }));
}

async function readForeign(client: Client, from: AdoptSource, table: string, columns: Set<string>, entries: MigrationEntry[], dir: string): Promise<ForeignState> {
  const state: ForeignState = { matches: [], withoutFile: [], unrecorded: [], notes: [] };
  const claim = (entry: MigrationEntry, matchedBy: string, appliedAt: Date | null) => {
    if (!state.matches.some((m) => m.entry === entry)) state.matches.push({ entry, matchedBy, appliedAt });
  };
  switch (from) {
    case 'golang-migrate': {
      const rows = (await client.query(`SELECT version::text AS version, dirty FROM ${table}`)).rows;
      if (rows.length > 1) throw new OperationError(`${table} has ${rows.length} rows; golang-migrate keeps exactly one (is this dbmate's table? try --from dbmate)`);
      const row = rows[0];
      if (!row || Number(row.version) < 0) break;
      if (row.dirty) throw new OperationError(`${table}: golang-migrate state is dirty at version ${row.version} (that migration failed part-way); repair the database, run \`migrate force <version>\`, then adopt again — nothing was adopted`);
      for (const entry of entries) if (compareVersions(entry.version, row.version) <= 0) claim(entry, `version ≤ ${row.version}`, null);
      if (!byVersion(entries, row.version)) state.withoutFile.push({ entry: `version ${row.version}`, appliedAt: null });
      break;
    }
    case 'dbmate': {
      const rows = (await client.query(`SELECT version::text AS version FROM ${table} ORDER BY version`)).rows;
      for (const row of rows) {
        const entry = byVersion(entries, row.version);
        if (entry) claim(entry, 'version', null);
        else state.withoutFile.push({ entry: `version ${row.version}`, appliedAt: null });
      }
      state.unrecorded = gaps(entries, state.matches, 'older than the newest version dbmate applied, but not in its table (dbmate would run it next time)');
      break;
    }
    case 'node-pg-migrate': {
      const rows = (await client.query(`SELECT name, run_on FROM ${table} ORDER BY ${columns.has('id') ? 'id' : 'run_on'}`)).rows;
      for (const row of rows) {
        // node-pg-migrate records the file name without its extension: `1700000000000_create-users`.
        const entry = entries.find((e) => fileBase(e) === row.name) ?? (/^(\d+)[_-]/.test(row.name) ? byVersion(entries, /^(\d+)/.exec(row.name)![1]!) : undefined);
        if (entry) claim(entry, fileBase(entry) === row.name ? 'name' : 'version', row.run_on);
        else state.withoutFile.push({ entry: row.name, appliedAt: row.run_on });
      }
      state.unrecorded = gaps(entries, state.matches, 'older than the newest migration node-pg-migrate ran, but not in its table');
      break;
    }
    case 'drizzle': {
      const rows = (await client.query(`SELECT hash, created_at::text AS created_at FROM ${table} ORDER BY ${columns.has('id') ? 'id' : 'created_at'}`)).rows;
      // drizzle-orm hashes the raw file text (sha256 hex) and stores the journal's `when` as created_at.
      const hashes = new Map(entries.map((entry) => [createHash('sha256').update(readFileSync(entry.upPath)).digest('hex'), entry]));
      let whenOf = new Map<string, number>();
      try {
        whenOf = new Map(readDrizzleJournal(dir).map((j) => [path.join(dir, `${j.tag}.sql`), j.when]));
      } catch {
        // Not a drizzle-kit folder: match by hash only.
      }
      for (const row of rows) {
        const byHash = hashes.get(row.hash);
        const byWhen = entries.find((entry) => String(whenOf.get(entry.upPath)) === row.created_at);
        if (byHash) claim(byHash, 'hash', null);
        else if (byWhen) {
          claim(byWhen, 'journal timestamp', null);
          state.notes.push(`${displayPath(byWhen.upPath)}: changed since drizzle applied it (hash differs); matched by its journal timestamp ${row.created_at}`);
        } else state.withoutFile.push({ entry: `hash ${String(row.hash).slice(0, 12)}… (created_at ${row.created_at})`, appliedAt: null });
      }
      // drizzle treats every journal entry up to the newest created_at as applied.
      const newest = rows.reduce((max: number, row: any) => Math.max(max, Number(row.created_at)), -Infinity);
      const matched = new Set(state.matches.map((m) => m.entry));
      state.unrecorded = entries
        .filter((entry) => !matched.has(entry) && (whenOf.get(entry.upPath) ?? Infinity) <= newest)
        .map((entry) => ({ entry, reason: 'its journal timestamp is older than the newest drizzle migration, but its hash is not in the table' }));
      break;
    }
    case 'flyway': {
      const rows = (await client.query(`SELECT installed_rank, version, type, script, success, ${columns.has('installed_on') ? 'installed_on' : 'NULL::timestamptz AS installed_on'} FROM ${table} ORDER BY installed_rank`)).rows;
      const failed = rows.find((row: any) => !row.success);
      if (failed) throw new OperationError(`${table}: Flyway migration ${failed.version ?? failed.script} failed (success = false); fix the database and run \`flyway repair\`, then adopt again — nothing was adopted`);
      const applied = new Map<MigrationEntry, Match>();
      for (const row of rows) {
        const type = String(row.type).toUpperCase();
        if (type === 'SCHEMA') continue;
        if (row.version === null) {
          state.notes.push(`repeatable Flyway migration ${row.script} not adopted (ddlgate has no repeatable migrations)`);
          continue;
        }
        if (type === 'BASELINE') {
          for (const entry of entries) if (compareVersions(entry.version, row.version) <= 0 || sameVersion(entry.version, row.version)) applied.set(entry, { entry, matchedBy: `Flyway baseline ${row.version}`, appliedAt: row.installed_on });
          continue;
        }
        const entry = entries.find((e) => path.basename(e.upPath) === row.script) ?? byVersion(entries, row.version);
        if (type === 'UNDO_SQL' || type === 'DELETE') {
          if (entry) applied.delete(entry);
          continue;
        }
        if (entry) applied.set(entry, { entry, matchedBy: path.basename(entry.upPath) === row.script ? 'script' : 'version', appliedAt: row.installed_on });
        else state.withoutFile.push({ entry: `${row.version} (${row.script})`, appliedAt: row.installed_on });
      }
      state.matches = [...applied.values()];
      state.unrecorded = gaps(entries, state.matches, 'older than the newest version Flyway applied, but not in its history (Flyway would call it ignored)');
      break;
    }
    case 'schema-migrations': {
      const at = ['applied_at', 'executed_at', 'installed_on', 'run_on'].find((c) => columns.has(c));
      const rows = (await client.query(`SELECT version::text AS version, checksum::text AS checksum, status::text AS status${at ? `, ${quoteIdent(at)} AS applied_at` : ''} FROM ${table} ORDER BY version`)).rows;
      const bad = rows.find((row: any) => !SUCCESS_STATUS.has(String(row.status).toLowerCase()));
      if (bad) throw new OperationError(`${table}: version ${bad.version} has status "${bad.status}" (not applied); finish or undo it first — nothing was adopted`);
      for (const row of rows) {
        const entry = byVersion(entries, row.version) ?? entries.find((e) => fileBase(e) === row.version || path.basename(e.upPath) === row.version);
        if (!entry) {
          state.withoutFile.push({ entry: `version ${row.version}`, appliedAt: row.applied_at ?? null });
          continue;
        }
        claim(entry, 'version', row.applied_at ?? null);
        if (row.checksum && !knownChecksums(entry.upPath).has(String(row.checksum).toLowerCase())) {
          state.notes.push(`${displayPath(entry.upPath)}: recorded checksum ${String(row.checksum).slice(0, 12)}… matches neither its SHA-256 nor its MD5; the file may have changed since it was applied`);
        }
      }
      state.unrecorded = gaps(entries, state.matches, 'older than the newest recorded version, but not in the table');
      break;
    }
  }
  return state;
}

/** The checksums a hand-made runner is likely to have stored for a file: SHA-256 or MD5 of its raw or normalised text. */
function knownChecksums(file: string): Set<string> {
  const raw = readFileSync(file);
  const normalised = Buffer.from(raw.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'), 'utf8');
  return new Set([raw, normalised].flatMap((bytes) => ['sha256', 'md5'].map((algorithm) => createHash(algorithm).update(bytes).digest('hex'))));
}

async function tableColumns(client: Client, schema: string, table: string): Promise<Set<string> | undefined> {
  const result = await client.query(
    `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [`${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  if (result.rows.length === 0) {
    const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${quoteIdent(schema)}.${quoteIdent(table)}`]);
    if (!exists.rows[0]?.ok) return undefined;
  }
  return new Set(result.rows.map((row) => row.attname as string));
}

const iso = (value: Date | string | null) => (value === null || value === undefined ? null : new Date(value).toISOString());

export async function runAdopt(options: AdoptOptions): Promise<AdoptReport> {
  const entries = entriesOf(options);
  const { schema, table } = parseTableName(options.table ?? DEFAULT_TABLES[options.from]);
  if (schema === options.schema && table === 'schema_migrations') throw new InputError(`--table ${schema}.${table} is ddlgate's own tracking table; name the other tool's table`);
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const shown = `${schema}.${table}`;

  const body = async (client: Client, write?: (report: AdoptReport, matches: Match[]) => Promise<void>): Promise<AdoptReport> => {
    const columns = await tableColumns(client, schema, table);
    if (!columns) throw new InputError(`${shown}: table not found, so there is no ${options.from} history to adopt (pass --table schema.table if it lives elsewhere)`);
    const missing = REQUIRED_COLUMNS[options.from].filter((column) => !columns.has(column));
    if (missing.length) throw new InputError(`${shown} has no column ${missing.map((c) => `"${c}"`).join(', ')}: it is not ${options.from}'s table (check --from)`);
    const foreign = await readForeign(client, options.from, qualified, columns, entries, options.dir);
    const rows = await readAppliedRows(client, options.schema);
    const recorded = (entry: MigrationEntry) => rows.find((row) => compareVersions(row.version, entry.version) === 0);
    for (const match of foreign.matches) {
      const row = recorded(match.entry);
      if (row && row.status !== 'applied') throw new OperationError(`${match.entry.version}_${match.entry.name}: ddlgate has a ${row.status} attempt recorded; resolve it (ddlgate repair) before adopting`);
    }
    const todo = foreign.matches.filter((match) => !recorded(match.entry)).sort((a, b) => compareVersions(a.entry.version, b.entry.version));
    const adoptedSet = new Set(foreign.matches.map((m) => m.entry));
    const report: AdoptReport = {
      from: options.from,
      table: shown,
      dryRun: Boolean(options.dryRun),
      batch: null,
      adopted: todo.map((m) => ({ version: m.entry.version, name: m.entry.name, path: displayPath(m.entry.upPath), matchedBy: m.matchedBy, appliedAt: iso(m.appliedAt) })),
      alreadyRecorded: foreign.matches.filter((m) => recorded(m.entry)).map((m) => m.entry.version),
      withoutFile: foreign.withoutFile.map((w) => ({ entry: w.entry, appliedAt: iso(w.appliedAt) })),
      unrecorded: foreign.unrecorded.map((u) => ({ version: u.entry.version, name: u.entry.name, path: displayPath(u.entry.upPath), reason: u.reason })),
      pending: entries.filter((entry) => !adoptedSet.has(entry) && !recorded(entry)).map((entry) => entry.version),
      notes: foreign.notes,
    };
    if (write && todo.length) await write(report, todo);
    return report;
  };

  if (options.dryRun) {
    const client = await connect(options.databaseUrl);
    try {
      return await body(client);
    } finally {
      await closeQuietly(client);
    }
  }
  return withMigrationSession(options, (session) =>
    body(session.client, async (report, todo) => {
      const { client } = session;
      const batch = await nextBatch(client, options.schema);
      const s = quoteIdent(options.schema);
      const lit = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
      const statements = todo.flatMap((match) => [
        `INSERT INTO ${s}.schema_migrations (version, name, checksum, status, applied_at, applied_by, execution_time_ms, batch, statements_done)
         VALUES (${lit(match.entry.version)}, ${lit(match.entry.name)}, ${lit(checksumOfFile(match.entry.upPath))}, 'applied', ${match.appliedAt ? `${lit(iso(match.appliedAt))}::timestamptz` : 'now()'}, ${lit(session.executedBy)}, 0, ${batch}, 0)`,
        historyInsertSql(client, options.schema, {
          version: match.entry.version,
          action: 'baseline',
          executionTimeMs: 0,
          status: 'success',
          executedBy: session.executedBy,
          environment: session.environment,
          details: { adoptedFrom: options.from, table: shown, matchedBy: match.matchedBy, executed: false },
        }),
      ]);
      // All or nothing: a half-adopted history would make `up` re-run some of the other tool's migrations.
      await client.query(`BEGIN; ${statements.join(';\n')}; COMMIT`).catch(async (error) => {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      });
      report.batch = batch;
      for (const match of todo) session.log(`adopted ${match.entry.version}_${match.entry.name} from ${options.from} (matched by ${match.matchedBy}; recorded as applied, not run)`);
    }),
  );
}
