import { createHash } from 'node:crypto';
import { OperationError } from '../errors.js';
import type { Client } from './connection.js';

/** One lock per tracking schema, so two projects sharing a database with different schemas do not block each other. */
export function migrationLockKey(schema: string): bigint {
  return createHash('sha256').update(`ddlgate:${schema}`).digest().readBigInt64BE(0);
}

export interface LockHolder {
  pid: number;
  applicationName: string;
  user: string | null;
  heldForSeconds: number;
}

export interface LockWaitOptions {
  waitMs: number;
  onWait?: (holder: LockHolder | undefined, waitedMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes the session-level advisory lock by polling pg_try_advisory_lock with backoff. Never a blocking
 * pg_advisory_lock: a runner waiting inside a transaction would deadlock with CREATE INDEX CONCURRENTLY,
 * which waits for every open transaction to finish.
 */
export async function acquireMigrationLock(client: Client, schema: string, options: LockWaitOptions): Promise<void> {
  const key = migrationLockKey(schema).toString();
  const started = Date.now();
  let delay = 50;
  let lastReport = -Infinity;
  for (;;) {
    const result = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
    if (result.rows[0].ok) return;
    const waited = Date.now() - started;
    const holder = await findLockHolder(client, schema);
    if (waited >= options.waitMs) {
      throw new OperationError(`gave up waiting for the migration lock after ${Math.round(waited / 1000)} s; ${describeHolder(holder)}`);
    }
    if (waited - lastReport >= 10_000 || lastReport < 0) {
      options.onWait?.(holder, waited);
      lastReport = waited;
    }
    await (options.sleep ?? sleepFor)(Math.min(delay, Math.max(10, options.waitMs - waited)));
    delay = Math.min(delay * 2, 1000);
  }
}

export async function releaseMigrationLock(client: Client, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [migrationLockKey(schema).toString()]);
}

export async function findLockHolder(client: Client, schema: string): Promise<LockHolder | undefined> {
  const key = migrationLockKey(schema);
  const unsigned = BigInt.asUintN(64, key);
  const classid = Number(unsigned >> 32n);
  const objid = Number(unsigned & 0xffffffffn);
  const result = await client.query(
    `SELECT l.pid, coalesce(a.application_name, '') AS application_name, a.usename,
            extract(epoch FROM now() - coalesce(a.backend_start, now()))::float8 AS held_for
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1
      LIMIT 1`,
    [classid, objid],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return { pid: row.pid, applicationName: row.application_name, user: row.usename, heldForSeconds: Math.round(row.held_for) };
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'the lock holder has just released it';
  return `held by pid ${holder.pid} (${holder.applicationName || 'no application_name'}${holder.user ? `, user ${holder.user}` : ''}, connected ${holder.heldForSeconds} s ago)`;
}
