import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError, OperationError } from '../errors.js';
import { acquireMigrationLock, describeHolder, releaseMigrationLock } from '../db/advisory-lock.js';
import { closeQuietly, connect } from '../db/connection.js';
import { currentActor, currentEnvironment } from '../db/session.js';
import { insertHistory, trackingTablesExist } from '../db/tracking.js';
import { displayPath } from '../migrations/discover.js';
import { connectionEnv, findPgTool, runTool, serverMajor, toolError } from './pg-tools.js';

export type ArchiveKind = 'custom' | 'tar' | 'directory' | 'plain';

/** What pg_dump wrote, from the file's own bytes (not its name: a renamed .dump is still an archive). */
export function detectArchiveKind(file: string): ArchiveKind {
  if (!existsSync(file)) throw new InputError(`${displayPath(file)}: backup file not found`);
  if (statSync(file).isDirectory()) {
    if (existsSync(path.join(file, 'toc.dat'))) return 'directory';
    throw new InputError(`${displayPath(file)}: a directory without toc.dat is not a pg_dump directory archive`);
  }
  const header = Buffer.alloc(512);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (read >= 5 && header.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  if (read >= 262 && header.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (header.subarray(0, read).includes(0)) throw new InputError(`${displayPath(file)}: neither a pg_dump archive nor a plain SQL file`);
  return 'plain';
}

/** A libpq conninfo naming only the database (the rest comes from the environment, the password from PGPASSWORD). */
function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function restoreCommand(kind: ArchiveKind, file: string, database: string): { tool: 'pg_restore' | 'psql'; args: string[] } {
  // One transaction and stop at the first error: a restore either fully replaces the objects or changes nothing.
  if (kind === 'plain') {
    return { tool: 'psql', args: ['--no-psqlrc', '--quiet', '--no-password', '--set=ON_ERROR_STOP=1', '--single-transaction', `--file=${file}`, `--dbname=${dbnameConninfo(database)}`] };
  }
  return { tool: 'pg_restore', args: ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-password', `--dbname=${dbnameConninfo(database)}`, file] };
}

export interface RestoreOptions {
  databaseUrl: string;
  schema: string;
  file: string;
  lockWaitMs: number;
  log: (message: string) => void;
}

export interface RestoreResult {
  file: string;
  kind: ArchiveKind;
  tool: string;
  durationMs: number;
}

/**
 * `ddlgate restore`: replaces the objects in the backup (pg_restore --clean --if-exists, or the plain
 * dump's own DROP … IF EXISTS) in one transaction, holding the migration lock so no migration runs meanwhile.
 * The tracking tables come back as they were at backup time — the dump contains them.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const kind = detectArchiveKind(options.file);
  const client = await connect(options.databaseUrl);
  try {
    await acquireMigrationLock(client, options.schema, {
      waitMs: options.lockWaitMs,
      onWait: (holder, waited) => options.log(`waiting for the migration lock (${Math.round(waited / 1000)} s): ${describeHolder(holder)}`),
    });
    try {
      const env = connectionEnv(options.databaseUrl);
      const database = env.PGDATABASE ?? env.PGUSER ?? 'postgres';
      const command = restoreCommand(kind, options.file, database);
      const tool = findPgTool(command.tool, await serverMajor(client));
      const started = performance.now();
      const run = await runTool(tool.path, command.args, env);
      if (run.code !== 0) throw new OperationError(`${toolError(command.tool, run)}; nothing was restored (the restore runs in one transaction)`);
      const durationMs = performance.now() - started;
      // The history came back as it was at backup time: record the restore itself on top of it.
      if (await trackingTablesExist(client, options.schema)) {
        await insertHistory(client, options.schema, {
          version: null,
          action: 'restore',
          executionTimeMs: durationMs,
          status: 'success',
          executedBy: currentActor(),
          environment: currentEnvironment(null),
          details: { file: options.file, kind },
        }).catch((error) => options.log(`restored, but could not record it in ${options.schema}.migration_history: ${error instanceof Error ? error.message : String(error)}`));
      }
      return { file: options.file, kind, tool: `${command.tool} ${tool.version}`, durationMs };
    } finally {
      await releaseMigrationLock(client, options.schema).catch(() => {});
    }
  } finally {
    await closeQuietly(client);
  }
}
