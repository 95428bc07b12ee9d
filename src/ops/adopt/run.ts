/**
 * `ddlgate adopt --from <tool>`: takes over the record of what another migration tool applied. Reads that
 * tool's tracking table (SELECT only: it is never modified) the way the tool itself reads it (one reader per
 * tool in this folder), matches each applied entry to a migration of the directory, and records those as
 * applied in ddlgate's schema_migrations with a `baseline` history row each, so `up` afterwards runs only what
 * was never applied. Refuses, naming the version and the tool's own fix, when the other tool's state is dirty
 * or failed: adopting a half-applied migration would hide it.
 */
import { InputError, OperationError } from '../../errors.js';
import { closeQuietly, connect, quoteIdent, type Client } from '../../db/connection.js';
import { withMigrationSession, type SessionOptions } from '../../db/session.js';
import { historyInsertSql, nextBatch, readAppliedRows } from '../../db/tracking.js';
import { displayPath, entriesOf, type MigrationSet } from '../../migrations/discover.js';
import { checksumOfFile } from '../../migrations/script.js';
import type { LayoutName, MigrationEntry } from '../../migrations/types.js';
import { compareVersions } from '../../migrations/version.js';
import { dbmate } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { goose } from './goose.js';
import { graphileMigrate } from './graphile-migrate.js';
import { hasura } from './hasura.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { popx } from './popx.js';
import { prisma } from './prisma.js';
import { schemaMigrations } from './schema-migrations.js';
import { sqitch } from './sqitch.js';
import { sqlMigrate } from './sql-migrate.js';
import { supabase } from './supabase.js';
import type { AdoptReader, Match } from './source.js';

/** Every tool whose record `adopt` reads, by the name `--from` takes. */
export const READERS = {
  drizzle,
  'node-pg-migrate': nodePgMigrate,
  'golang-migrate': golangMigrate,
  dbmate,
  flyway,
  'schema-migrations': schemaMigrations,
  goose,
  'sql-migrate': sqlMigrate,
  diesel,
  prisma,
  supabase,
  sqitch,
  popx,
  'graphile-migrate': graphileMigrate,
  hasura,
} satisfies Record<string, AdoptReader>;

export type AdoptSource = keyof typeof READERS;
export const ADOPT_SOURCES = Object.keys(READERS) as AdoptSource[];

export interface AdoptOptions extends SessionOptions {
  dir: string;
  layout?: LayoutName;
  /** The migrations as the command read them; `dir` is read when absent. */
  set?: MigrationSet;
  from: AdoptSource;
  /** `schema.table` of the other tool's record; default the tool's own place (READERS[from].table). */
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

export function parseAdoptSource(value: string): AdoptSource {
  if (!(ADOPT_SOURCES as readonly string[]).includes(value)) throw new InputError(`--from: "${value}" is not a supported tool (${ADOPT_SOURCES.join(', ')})`);
  return value as AdoptSource;
}

export function parseTableName(value: string): { schema: string; table: string } {
  const match = /^(?:([A-Za-z_][A-Za-z0-9_$]*)\.)?([A-Za-z_][A-Za-z0-9_$]*)$/.exec(value);
  if (!match) throw new InputError(`--table: "${value}" must be table or schema.table (plain identifiers)`);
  return { schema: match[1] ?? 'public', table: match[2]! };
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
  const { schema, table } = parseTableName(options.table ?? READERS[options.from].table);
  if (schema === options.schema && table === 'schema_migrations') throw new InputError(`--table ${schema}.${table} is ddlgate's own tracking table; name the other tool's table`);
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const shown = `${schema}.${table}`;

  const body = async (client: Client, write?: (report: AdoptReport, matches: Match[]) => Promise<void>): Promise<AdoptReport> => {
    const columns = await tableColumns(client, schema, table);
    if (!columns) throw new InputError(`${shown}: table not found, so there is no ${options.from} history to adopt (pass --table schema.table if it lives elsewhere)`);
    const reader: AdoptReader = READERS[options.from];
    const missing = reader.columns.filter((column) => !columns.has(column));
    if (missing.length) throw new InputError(`${shown} has no column ${missing.map((c) => `"${c}"`).join(', ')}: it is not ${options.from}'s table (check --from)`);
    const foreign = await reader.read({ client, table: qualified, shown, schema, columns, entries, dir: options.dir });
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
