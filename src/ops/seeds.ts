import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError, OperationError } from '../errors.js';
import { acquireMigrationLock, describeHolder, releaseMigrationLock } from '../db/advisory-lock.js';
import { closeQuietly, connect, quoteIdent, type Client } from '../db/connection.js';
import { describePgError, executeStatement, StatementFailure, timeoutSettings } from '../db/execute.js';
import { enforceEnvironmentIdentity } from '../db/identity.js';
import { currentActor, currentEnvironment } from '../db/session.js';
import { ensureTrackingTables, historyInsertSql, insertHistory } from '../db/tracking.js';
import { checksumOf } from '../migrations/checksum.js';
import { displayPath } from '../migrations/discover.js';
import { compileScript, readSqlFile } from '../migrations/script.js';
import type { MigrationScript } from '../migrations/types.js';

export interface SeedFile {
  name: string;
  path: string;
}

/** `*.sql` files directly in the seeds directory, in name order (code-point order: the same on every machine). */
export function discoverSeeds(dir: string): SeedFile[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${displayPath(dir)}: not a directory (set the seeds dir with --seeds-dir)`);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${displayPath(dir)}: seeds directory not found (set it with --seeds-dir)`);
  }
  return names
    .filter((name) => name.toLowerCase().endsWith('.sql') && statSync(path.join(dir, name)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, path: path.join(dir, name) }));
}

export type SeedState = 'applied' | 'reseeded' | 'skipped' | 'would-apply' | 'would-reseed';

export interface SeedOutcome {
  name: string;
  state: SeedState;
  checksum: string;
  durationMs: number;
}

export interface SeedOptions {
  databaseUrl: string;
  schema: string;
  seedsDir: string;
  /** Seeds to run again even though they ran before (file name, with or without .sql). */
  reseed?: string[];
  dryRun?: boolean;
  lockWaitMs: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  environment?: string | null;
  log: (message: string) => void;
}

interface PlannedSeed extends SeedFile {
  checksum: string;
  script: MigrationScript;
  previous: string | undefined;
  run: boolean;
}

/** Decides, before anything runs, which seeds run; a changed seed without --reseed stops everything. */
export function planSeeds(files: SeedFile[], recorded: Map<string, string>, reseed: string[]): PlannedSeed[] {
  const wanted = new Set(reseed.map((name) => (name.toLowerCase().endsWith('.sql') ? name : `${name}.sql`)));
  for (const name of wanted) {
    if (!files.some((file) => file.name === name)) throw new InputError(`--reseed ${name}: no such seed file (known: ${files.map((f) => f.name).join(', ') || 'none'})`);
  }
  return files.map((file) => {
    const text = readSqlFile(file.path);
    const checksum = checksumOf(text);
    const script = compileScript(file.path, text);
    if (!script.transactional) {
      throw new InputError(`${script.path}: seeds run in a transaction; ${script.nonTransactionalReasons[0] ?? 'ddlgate:no-transaction'} cannot run in one`);
    }
    const previous = recorded.get(file.name);
    if (previous !== undefined && previous !== checksum && !wanted.has(file.name)) {
      throw new OperationError(`${displayPath(file.path)}: seed changed since it ran (checksum differs); run it again with --reseed ${file.name}, or restore the file`);
    }
    return { ...file, checksum, script, previous, run: previous === undefined || wanted.has(file.name) };
  });
}

async function recordedSeeds(client: Client, schema: string): Promise<Map<string, string>> {
  const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${quoteIdent(schema)}.seed_history`]);
  if (!exists.rows[0].ok) return new Map();
  const result = await client.query(`SELECT name, checksum FROM ${quoteIdent(schema)}.seed_history`);
  return new Map(result.rows.map((row) => [row.name as string, row.checksum as string]));
}

/**
 * `ddlgate seed`: each seed in its own transaction together with its seed_history row, so a seed is
 * recorded exactly when its data is committed. --dry-run runs each one and rolls it back.
 */
export async function runSeeds(options: SeedOptions): Promise<SeedOutcome[]> {
  const files = discoverSeeds(options.seedsDir);
  const client = await connect(options.databaseUrl);
  const schema = quoteIdent(options.schema);
  const executedBy = currentActor();
  const environment = currentEnvironment(options.environment);
  try {
    await acquireMigrationLock(client, options.schema, {
      waitMs: options.lockWaitMs,
      onWait: (holder, waited) => options.log(`waiting for the migration lock (${Math.round(waited / 1000)} s): ${describeHolder(holder)}`),
    });
    try {
      await enforceEnvironmentIdentity(client, options.schema, options.environment, 'seed', executedBy);
      // A dry-run leaves nothing behind, not even the tracking tables.
      if (!options.dryRun) await ensureTrackingTables(client, options.schema);
      const plan = planSeeds(files, await recordedSeeds(client, options.schema), options.reseed ?? []);
      const outcomes: SeedOutcome[] = [];
      for (const seed of plan) {
        const again = seed.previous !== undefined;
        if (!seed.run) {
          outcomes.push({ name: seed.name, state: 'skipped', checksum: seed.checksum, durationMs: 0 });
          continue;
        }
        const started = performance.now();
        try {
          await client.query(`BEGIN; ${timeoutSettings(options.lockTimeoutMs, options.statementTimeoutMs, 'LOCAL')}`);
          for (const statement of seed.script.statements) await executeStatement(client, seed.script, statement);
          const durationMs = performance.now() - started;
          if (options.dryRun) {
            await client.query('ROLLBACK');
            outcomes.push({ name: seed.name, state: again ? 'would-reseed' : 'would-apply', checksum: seed.checksum, durationMs });
            options.log(`dry-run: ${seed.name} ran in ${Math.round(durationMs)} ms and was rolled back`);
            continue;
          }
          await client.query(
            `INSERT INTO ${schema}.seed_history (name, checksum, executed_at, executed_by, execution_time_ms)
             VALUES (${client.escapeLiteral(seed.name)}, ${client.escapeLiteral(seed.checksum)}, now(), ${client.escapeLiteral(executedBy)}, ${Math.round(durationMs)})
             ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, executed_at = now(), executed_by = EXCLUDED.executed_by, execution_time_ms = EXCLUDED.execution_time_ms;
${historyInsertSql(client, options.schema, { version: null, action: 'seed', executionTimeMs: durationMs, status: 'success', executedBy, environment, details: { seed: seed.name, checksum: seed.checksum, ...(again ? { reseed: true, previousChecksum: seed.previous } : {}) } })};
COMMIT`,
          );
          outcomes.push({ name: seed.name, state: again ? 'reseeded' : 'applied', checksum: seed.checksum, durationMs });
          options.log(`${again ? 'reseeded' : 'seeded'} ${seed.name} (${Math.round(durationMs)} ms)`);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          const message = error instanceof StatementFailure ? error.message : describePgError(error);
          if (!options.dryRun) {
            await insertHistory(client, options.schema, { version: null, action: 'seed', executionTimeMs: performance.now() - started, status: 'failed', errorMessage: message, executedBy, environment, details: { seed: seed.name } }).catch(() => {});
          }
          const done = options.dryRun ? [] : outcomes.filter((o) => o.state !== 'skipped').map((o) => o.name);
          throw new OperationError(`seed ${seed.name} failed: ${message}${done.length ? ` (committed before it: ${done.join(', ')})` : ''}`);
        }
      }
      return outcomes;
    } finally {
      await releaseMigrationLock(client, options.schema).catch(() => {});
    }
  } finally {
    await closeQuietly(client);
  }
}
