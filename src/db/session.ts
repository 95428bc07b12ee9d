import os from 'node:os';
import { acquireMigrationLock, describeHolder, releaseMigrationLock } from './advisory-lock.js';
import { DdlgateError, OperationError } from '../errors.js';
import { closeQuietly, connect, parseDatabaseUrl, withTimeout, type Client } from './connection.js';
import { describePgError, isConnectionLost } from './execute.js';
import { claimedEnvironment } from './identity.js';
import { ensureTrackingTables } from './tracking.js';

export interface SessionOptions {
  databaseUrl: string;
  schema: string;
  lockWaitMs: number;
  environment?: string | null;
  /** Who is recorded as running it; default: the GitHub actor, else the OS user. */
  actor?: string;
  log: (message: string) => void;
}

/** Who ran it: the GitHub actor in CI, else the OS user. */
export function currentActor(): string {
  if (process.env.GITHUB_ACTOR) return process.env.GITHUB_ACTOR;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * The environment a run records in the history and decides production defaults by (a backup before
 * applying): the same claim the identity check judges (--environment, else DDLGATE_ENV). NODE_ENV is an
 * application's mode, "production" on many laptops; it must not label history rows nor trigger backups.
 */
export function currentEnvironment(explicit?: string | null): string | null {
  return claimedEnvironment(explicit);
}

export interface MigrationSession {
  client: Client;
  databaseUrl: string;
  schema: string;
  executedBy: string;
  environment: string | null;
  log: (message: string) => void;
  /** A fresh connection, e.g. to record a failure after the runner's backend was terminated. */
  reconnect(): Promise<Client>;
}

/**
 * Connects, takes the migration lock and makes sure the tracking tables exist; runs `body`;
 * always releases the lock and closes the connection (a crash releases the session lock by itself).
 */
export async function withMigrationSession<T>(options: SessionOptions, body: (session: MigrationSession) => Promise<T>): Promise<T> {
  const client = await connect(options.databaseUrl, { runner: true, log: options.log });
  const extra: Client[] = [];
  try {
    await acquireMigrationLock(client, options.schema, {
      waitMs: options.lockWaitMs,
      onWait: (holder, waited) =>
        options.log(`waiting for the migration lock (${Math.round(waited / 1000)} s): ${describeHolder(holder)}`),
    });
    await ensureTrackingTables(client, options.schema);
    return await body({
      client,
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      executedBy: options.actor ?? currentActor(),
      environment: currentEnvironment(options.environment),
      log: options.log,
      async reconnect() {
        const fresh = await connect(options.databaseUrl, { connectTimeoutMs: 3000 });
        extra.push(fresh);
        return fresh;
      },
    });
  } catch (error) {
    // Whatever was waiting when the connection died (a tracking write, the lock poll …) says so in one line.
    if (!(error instanceof DdlgateError) && isConnectionLost(error)) throw new OperationError(`connection to ${parseDatabaseUrl(options.databaseUrl).label} lost: ${describePgError(error).replace(/^connection lost: /, '')}`);
    throw error;
  } finally {
    await withTimeout(releaseMigrationLock(client, options.schema), 5000, 'no reply').catch(() => {});
    await closeQuietly(client);
    for (const other of extra) await closeQuietly(other);
  }
}

/**
 * Writes an audit row after a failure: over the runner's connection, or over a fresh one when that
 * connection is what failed (terminated backend, server restart). Never throws: the original failure
 * is what the user must see; a row that cannot be written is said in one line.
 */
export async function recordOverAnyConnection(session: MigrationSession, what: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  try {
    await withTimeout(work(session.client), 5000, 'no reply');
    return;
  } catch {
    // The runner's connection is gone. After a server restart the server refuses connections for a few
    // seconds ("starting up", refused): keep trying a fresh connection for up to RECORD_RETRY_MS.
  }
  const deadline = Date.now() + RECORD_RETRY_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await withTimeout(work(await session.reconnect()), 5000, 'no reply');
      return;
    } catch (error) {
      if (Date.now() + delay >= deadline) {
        session.log(`could not record ${what}: ${describePgError(error)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** How long a failure is retried over fresh connections before giving up on recording it. */
export const RECORD_RETRY_MS = 8_000;
