import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.js';
import { closeQuietly, connect, parseDatabaseUrl, type Client } from '../db/connection.js';
import { withMigrationSession, type MigrationSession } from '../db/session.js';
import { insertHistory } from '../db/tracking.js';
import { connectionEnv, findPgTool, runTool, serverMajor, toolError } from './pg-tools.js';
import { formatBytes } from '../units.js';

export type BackupFormat = 'custom' | 'plain' | 'tar';

export interface BackupResult {
  path: string;
  format: BackupFormat;
  sizeBytes: number;
  durationMs: number;
  pgDump: string;
}

/** Plain SQL for .sql, tar for .tar, pg_dump's compressed custom format for anything else (.dump, .backup …). */
export function backupFormatFor(file: string): BackupFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.sql') return 'plain';
  if (ext === '.tar') return 'tar';
  return 'custom';
}

export function pgDumpArgs(file: string, format: BackupFormat): string[] {
  const flag = { custom: '--format=custom', plain: '--format=plain', tar: '--format=tar' }[format];
  // A plain dump carries its own DROP … IF EXISTS so psql can restore it over an existing database,
  // as pg_restore --clean does for the archive formats.
  return [flag, '--no-password', `--file=${file}`, ...(format === 'plain' ? ['--clean', '--if-exists'] : [])];
}

/** A default file name for the backup taken before a production apply: backups/<database>-<UTC time>.dump. */
export function defaultBackupPath(databaseUrl: string, now = new Date()): string {
  const database = parseDatabaseUrl(databaseUrl).label.split('/').pop()!.replace(/[^A-Za-z0-9_.-]/g, '_');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return path.join('backups', `${database}-${stamp}.dump`);
}

/** Runs pg_dump into `file` (its directory is created); `client` only serves to learn the server's major. */
export async function dumpDatabase(client: Client, databaseUrl: string, file: string): Promise<BackupResult> {
  const tool = findPgTool('pg_dump', await serverMajor(client));
  const format = backupFormatFor(file);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const started = performance.now();
  const run = await runTool(tool.path, pgDumpArgs(file, format), connectionEnv(databaseUrl));
  const durationMs = performance.now() - started;
  if (run.code !== 0) throw new OperationError(toolError('pg_dump', run));
  return { path: file, format, sizeBytes: statSync(file).size, durationMs, pgDump: tool.version };
}

/**
 * Takes a backup inside a migration session (lock held) and records it as a `backup` row in
 * migration_history — failed attempts too, so an audit shows every backup that was tried.
 */
export async function backupInSession(session: MigrationSession, file: string): Promise<BackupResult> {
  const started = performance.now();
  try {
    const result = await dumpDatabase(session.client, session.databaseUrl, file);
    await insertHistory(session.client, session.schema, {
      version: null,
      action: 'backup',
      executionTimeMs: result.durationMs,
      status: 'success',
      executedBy: session.executedBy,
      environment: session.environment,
      details: { path: path.resolve(result.path), sizeBytes: result.sizeBytes, format: result.format, pgDump: result.pgDump },
    });
    session.log(`backup written to ${result.path} (${formatBytes(result.sizeBytes)}, ${Math.round(result.durationMs)} ms)`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await insertHistory(session.client, session.schema, {
      version: null,
      action: 'backup',
      executionTimeMs: performance.now() - started,
      status: 'failed',
      errorMessage: message,
      executedBy: session.executedBy,
      environment: session.environment,
      details: { path: path.resolve(file) },
    }).catch(() => {});
    throw error;
  }
}

/** `up --no-backup` in production: skipping the safety net is allowed, but never silently. */
export async function recordSkippedBackup(session: MigrationSession, reason: string): Promise<void> {
  await insertHistory(session.client, session.schema, {
    version: null,
    action: 'backup',
    executionTimeMs: 0,
    status: 'skipped',
    errorMessage: reason,
    executedBy: session.executedBy,
    environment: session.environment,
  });
  session.log(`backup skipped: ${reason}`);
}

export interface BackupOptions {
  databaseUrl: string;
  schema: string;
  file: string;
  lockWaitMs: number;
  environment?: string | null;
  log: (message: string) => void;
}

/** `ddlgate backup`: holds the migration lock so no migration runs half-way through the dump. */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  return withMigrationSession(options, (session) => backupInSession(session, options.file));
}

/** Learns the server's major without a migration session (restore, schema-dump). */
export async function withClient<T>(databaseUrl: string, body: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(databaseUrl);
  try {
    return await body(client);
  } finally {
    await closeQuietly(client);
  }
}

