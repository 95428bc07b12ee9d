import pg from 'pg';
import { InputError, OperationError } from '../errors.js';
import { registerSecret, scrubSecrets } from '../secrets.js';

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

export interface ConnectOptions {
  applicationName?: string;
  connectTimeoutMs?: number;
}

export async function connect(url: string, options: ConnectOptions = {}): Promise<Client> {
  const target = parseDatabaseUrl(url);
  const client = new pg.Client({
    connectionString: target.url,
    application_name: options.applicationName ?? 'ddlgate',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // A dropped connection is reported by the query that was running; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new OperationError(`cannot connect to ${target.label}: ${describeConnectionError(error)}`);
  }
  // If this process dies (SIGKILL, OOM, a cancelled CI job), the server ends our backend within a second
  // instead of running the statement to its end while holding the migration lock and table locks (PG 14+).
  await client.query("SET client_connection_check_interval = '1s'").catch(() => {});
  return client;
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
      return 'timed out';
    case '28P01':
      return 'password authentication failed';
    case '3D000':
      return 'database does not exist';
    default:
      return scrubSecrets(err.message ?? String(error));
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function closeQuietly(client: Client | undefined): Promise<void> {
  if (client) await client.end().catch(() => {});
}
