import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { InputError, OperationError } from '../errors.js';
import { registerSecret, scrubSecrets } from '../secrets.js';
import { LIVENESS, watchConnection, type ConnectionWatch } from './liveness.js';

export type Client = pg.Client;

export interface ConnectionTarget {
  url: string;
  /** host:port/database, safe to print. */
  label: string;
}

/** Validates a database URL without ever echoing its password. */
export function parseDatabaseUrl(url: string): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new InputError('database URL is malformed: expected postgres://user:password@host:5432/database');
  }
  if (parsed.password) registerSecret(decodeUrlPart(parsed.password, 'password'));
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InputError(`database URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//…)`);
  }
  if (parsed.port && !/^\d+$/.test(parsed.port)) throw new InputError('database URL has an invalid port');
  const database = decodeUrlPart(parsed.pathname.replace(/^\//, ''), 'database name') || parsed.username || 'postgres';
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  return { url: url.trim(), label: `${host}:${parsed.port || '5432'}/${database}` };
}

/** A malformed %-escape is bad input (exit 2), named without echoing the part itself. */
export function decodeUrlPart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(`database URL is malformed: invalid %-escape in the ${what} (encode "%" as %25)`);
  }
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface DriverConfig {
  config: pg.ClientConfig;
  sslmode: SslMode;
}

/**
 * The URL read as libpq reads it (pg-connection-string in libpq mode): `sslmode=require` encrypts without
 * verifying the certificate (unless `sslrootcert` is given, then it verifies the chain like verify-ca),
 * `verify-ca` checks the chain only, `verify-full` the chain and the host name, `prefer` (libpq's default,
 * also when no sslmode is given) tries TLS and falls back to plain text when the server has none.
 * `PGSSLMODE` / `PGSSLROOTCERT` apply when the URL says nothing, as in libpq.
 */
export function driverConfig(url: string, env: NodeJS.ProcessEnv = process.env): DriverConfig {
  const target = parseDatabaseUrl(url);
  const parsedUrl = new URL(target.url);
  const params = parsedUrl.searchParams;
  if (!params.has('sslmode') && env.PGSSLMODE) params.set('sslmode', env.PGSSLMODE);
  if (!params.has('sslrootcert') && env.PGSSLROOTCERT) params.set('sslrootcert', env.PGSSLROOTCERT);
  const sslmode = (params.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(sslmode)) throw new InputError(`database URL: sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  // libpq's sslrootcert=system: the platform's trusted CAs, with full verification.
  const systemRoots = params.get('sslrootcert') === 'system';
  if (systemRoots) params.delete('sslrootcert');
  for (const file of ['sslrootcert', 'sslcert', 'sslkey']) {
    const value = params.get(file);
    if (value) {
      try {
        readFileSync(value);
      } catch {
        throw new InputError(`database URL: ${file} file cannot be read: ${value}`);
      }
    }
  }
  if (sslmode === 'verify-ca' && !params.get('sslrootcert')) {
    throw new InputError('database URL: sslmode=verify-ca needs sslrootcert=<CA file> (or use verify-full with the system CAs)');
  }
  // 'allow' and 'prefer' are tried with TLS first by connect(); the driver itself knows no fallback.
  params.set('sslmode', sslmode === 'allow' || sslmode === 'prefer' ? 'prefer' : sslmode);
  params.delete('uselibpqcompat');
  let parsed;
  try {
    parsed = parseConnectionString(parsedUrl.toString(), { useLibpqCompat: true });
  } catch (error) {
    throw new InputError(`database URL: ${scrubSecrets((error as Error).message.split('.')[0] ?? 'invalid')}`);
  }
  const { sslmode: _m, sslrootcert: _r, sslcert: _c, sslkey: _k, ...rest } = parsed as Record<string, unknown>;
  const config = { ...rest } as pg.ClientConfig & Record<string, unknown>;
  if (sslmode === 'disable') config.ssl = false;
  else if (systemRoots) config.ssl = {};
  if (config.port !== undefined && config.port !== null) config.port = Number(config.port) || 5432;
  return { config, sslmode: systemRoots && sslmode !== 'disable' ? 'verify-full' : sslmode };
}

export interface ConnectOptions {
  applicationName?: string;
  connectTimeoutMs?: number;
  /**
   * A migration runner's session: the server ends it when it sits idle (in a transaction or not) past the
   * bound while the client has gone silent, and the client watches the connection (see liveness.ts).
   */
  runner?: boolean;
  log?: (message: string) => void;
}

/** The documented bounds (docs/reliability.md). */
export const WIRE_BOUNDS = {
  connectTimeoutMs: 10_000,
  /** Server side: keepalive probes after 5 s idle, every 2 s, 3 lost = dead (11 s); unacknowledged data for 10 s = dead. */
  tcpKeepalivesIdle: 5,
  tcpKeepalivesInterval: 2,
  tcpKeepalivesCount: 3,
  tcpUserTimeoutMs: 10_000,
  /** Runner sessions only: the client sends a keepalive query every 5 s when idle, so 15 s of silence means it is gone. */
  idleSessionTimeoutMs: 15_000,
} as const;

/**
 * The server-side settings of ddlgate's sessions (only those the server knows: older servers lack some).
 * Run after connecting and after every RESET ALL, which would undo them.
 */
export function sessionGuardsSql(runner: boolean): string {
  const settings: [string, string][] = [
    ['tcp_keepalives_idle', String(WIRE_BOUNDS.tcpKeepalivesIdle)],
    ['tcp_keepalives_interval', String(WIRE_BOUNDS.tcpKeepalivesInterval)],
    ['tcp_keepalives_count', String(WIRE_BOUNDS.tcpKeepalivesCount)],
    ['tcp_user_timeout', String(WIRE_BOUNDS.tcpUserTimeoutMs)],
    // If this process dies (SIGKILL, OOM, a cancelled CI job), the server ends our backend within a second
    // instead of running the statement to its end while holding the migration lock and table locks (PG 14+).
    ['client_connection_check_interval', '1000'],
  ];
  if (runner) settings.push(['idle_in_transaction_session_timeout', String(WIRE_BOUNDS.idleSessionTimeoutMs)], ['idle_session_timeout', String(WIRE_BOUNDS.idleSessionTimeoutMs)]);
  const values = settings.map(([name, value]) => `('${name}', '${value}')`).join(', ');
  return `SELECT count(set_config(g.name, g.value, false)) FROM (VALUES ${values}) AS g(name, value) JOIN pg_settings s ON s.name = g.name`;
}

const watches = new WeakMap<Client, ConnectionWatch>();

/** Why the watch gave up on this connection, if it did. */
export function lostReason(client: Client): string | undefined {
  return watches.get(client)?.lostReason;
}

/** A bounded query over a runner connection's second connection (e.g. to see what a waiting statement waits for). */
export function sideQuery<R extends pg.QueryResultRow = any>(client: Client, sql: string, params?: unknown[]): Promise<R[]> {
  const watch = watches.get(client);
  if (!watch) return Promise.reject(new Error('not a runner connection'));
  return watch.sideQuery<R>(sql, params);
}

/** The driver, loaded on the first connection: a lint-only run (the action's cold start) never pays for it. */
let driver: Promise<typeof pg> | undefined;
const loadDriver = () => (driver ??= import('pg').then((module) => module.default));

export async function connect(url: string, options: ConnectOptions = {}): Promise<Client> {
  const target = parseDatabaseUrl(url);
  const { config, sslmode } = driverConfig(url);
  const { Client: PgClient } = await loadDriver();
  const make = (ssl: pg.ClientConfig['ssl']) => {
    const client = new PgClient({
      ...config,
      ssl,
      application_name: options.applicationName ?? (config.application_name as string | undefined) ?? 'ddlgate',
      connectionTimeoutMillis: options.connectTimeoutMs ?? WIRE_BOUNDS.connectTimeoutMs,
      // Client-side TCP keepalives: a silently dropped connection errors instead of waiting forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: WIRE_BOUNDS.tcpKeepalivesIdle * 1000,
    });
    // A dropped connection is reported by the query that was running; without a listener it would crash the process.
    client.on('error', () => {});
    return client;
  };
  let client = make(config.ssl);
  try {
    try {
      await client.connect();
    } catch (error) {
      // libpq's prefer/allow: a server without TLS is spoken to in plain text.
      if (!((sslmode === 'prefer' || sslmode === 'allow') && /does not support SSL/i.test((error as Error).message ?? ''))) throw error;
      await client.end().catch(() => {});
      client = make(false);
      await client.connect();
    }
    await withTimeout(client.query(sessionGuardsSql(options.runner ?? false)), options.connectTimeoutMs ?? WIRE_BOUNDS.connectTimeoutMs, 'no reply to the session setup');
  } catch (error) {
    client.connection?.stream?.destroy();
    await client.end().catch(() => {});
    throw new OperationError(`cannot connect to ${target.label}: ${describeConnectionError(error)}`);
  }
  if (options.runner) {
    const openSide = () => connect(url, { applicationName: 'ddlgate watch', connectTimeoutMs: LIVENESS.PROBE_TIMEOUT_MS });
    watches.set(client, watchConnection(client, { openSide, ...(options.log ? { log: options.log } : {}) }, withTimeout));
  }
  return client;
}

/** Rejects when `promise` has not settled within `ms`; the caller ends the connection. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} within ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeConnectionError(error: unknown): string {
  const err = error as { code?: string; message?: string };
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and accepting TCP connections?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return `timed out${err.message && !/timeout/i.test(err.message) ? ` (${scrubSecrets(err.message)})` : ''}`;
    case '28P01':
      return 'password authentication failed';
    case '3D000':
      return 'database does not exist';
    default:
      if (/timeout expired|Connection terminated due to connection timeout/i.test(err.message ?? '')) return `timed out after ${Math.round(WIRE_BOUNDS.connectTimeoutMs / 1000)} s (no answer from the server)`;
      if (/self[- ]signed|unable to verify|certificate/i.test(err.message ?? '')) return `TLS certificate not trusted: ${scrubSecrets(err.message ?? '')} (sslmode=require encrypts without verifying; verify-ca/verify-full need sslrootcert=<CA file>)`;
      return scrubSecrets(err.message ?? String(error));
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function closeQuietly(client: Client | undefined): Promise<void> {
  if (!client) return;
  watches.get(client)?.stop();
  if (lostReason(client)) {
    client.connection?.stream?.destroy();
    return;
  }
  // end() waits for the server's goodbye: on a dead network that would never come.
  await withTimeout(client.end(), 2000, 'close').catch(() => client.connection?.stream?.destroy());
}
