import type { MigrationScript } from '../migrations/types.js';
import type { SqlStatement } from '../sql/statements.js';
import { scrubSecrets } from '../secrets.js';
import type { Client } from './connection.js';

/** A statement that failed, with its place in the file, so every report can point at the line. */
export class StatementFailure extends Error {
  constructor(
    readonly path: string,
    readonly statement: SqlStatement,
    readonly pgError: unknown,
  ) {
    super(`${path}:${statement.line}: ${describePgError(pgError)}`);
    this.name = 'StatementFailure';
  }

  get sqlState(): string | undefined {
    return (this.pgError as { code?: string })?.code;
  }

  get isLockTimeout(): boolean {
    return this.sqlState === '55P03';
  }

  /** The backend is gone (terminated, server restarted, network lost): the connection cannot be reused. */
  get connectionLost(): boolean {
    return isConnectionLost(this.pgError);
  }
}

/** COMMIT itself failed: a deferred constraint or trigger, or a serialization failure; the whole migration rolled back. */
export class CommitFailure extends Error {
  constructor(
    readonly path: string,
    readonly pgError: unknown,
  ) {
    super(`${path}: at COMMIT (deferred constraint or trigger): ${describePgError(pgError)}`);
    this.name = 'CommitFailure';
  }
}

export function isConnectionLost(error: unknown): boolean {
  const err = error as { code?: string; message?: string };
  return (
    err?.code === '57P01' ||
    err?.code === '57P02' ||
    err?.code === '57P03' ||
    err?.code === 'ECONNRESET' ||
    err?.code === 'EPIPE' ||
    /Connection terminated|not queryable|Client has encountered a connection error/i.test(err?.message ?? '')
  );
}

export function describePgError(error: unknown): string {
  const err = error as { message?: string; detail?: string; hint?: string; code?: string };
  let text = err?.message ?? String(error);
  if (err?.code === '57P01') text = `connection lost: the server terminated the session (${text})`;
  else if (isConnectionLost(error)) text = `connection lost: ${text}`;
  if (err?.detail) text += ` (${err.detail})`;
  if (err?.hint) text += ` hint: ${err.hint}`;
  return scrubSecrets(text.replace(/\s+/g, ' ').trim());
}

export async function executeStatement(client: Client, script: Pick<MigrationScript, 'path'>, statement: SqlStatement, sql = statement.sql): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    throw new StatementFailure(script.path, statement, error);
  }
}

export function timeoutSettings(lockTimeoutMs: number, statementTimeoutMs: number, scope: 'LOCAL' | 'SESSION'): string {
  const set = scope === 'LOCAL' ? 'SET LOCAL' : 'SET';
  return `${set} lock_timeout = '${Math.round(lockTimeoutMs)}ms'; ${set} statement_timeout = '${Math.round(statementTimeoutMs)}ms'`;
}
