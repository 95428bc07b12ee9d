import os from 'node:os';
import { acquireMigrationLock, describeHolder, releaseMigrationLock } from './advisory-lock.js';
import { closeQuietly, connect, type Client } from './connection.js';
import { describePgError } from './execute.js';
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

export function currentEnvironment(explicit?: string | null): string | null {
  return explicit ?? process.env.DDLGATE_ENV ?? process.env.NODE_ENV ?? null;
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
  const client = await connect(options.databaseUrl);
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
        const fresh = await connect(options.databaseUrl);
        extra.push(fresh);
        return fresh;
      },
    });
  } finally {
    await releaseMigrationLock(client, options.schema).catch(() => {});
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
    await work(session.client);
  } catch {
    try {
      await work(await session.reconnect());
    } catch (error) {
      session.log(`could not record ${what}: ${describePgError(error)}`);
    }
  }
}
