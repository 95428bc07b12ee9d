import type { MigrationScript } from '../migrations/types.js';
import type { SqlStatement } from '../sql/statements.js';
import { scrubSecrets } from '../secrets.js';
import { lostReason, type Client } from './connection.js';

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

/**
 * COMMIT itself failed. With an answer from the server (a deferred constraint or trigger, a serialization
 * failure) the transaction rolled back; without one (the connection was lost) nobody knows here whether
 * it committed — the tracking row was written in the same transaction, so the next run reads the answer.
 */
export class CommitFailure extends Error {
  constructor(
    readonly path: string,
    readonly pgError: unknown,
  ) {
    super(
      isConnectionLost(pgError)
        ? `${path}: ${describePgError(pgError)} while waiting for COMMIT's answer; it may or may not have committed — the tracking row commits with it, so the next run (or ddlgate status) knows`
        : `${path}: at COMMIT (deferred constraint or trigger): ${describePgError(pgError)}`,
    );
    this.name = 'CommitFailure';
  }

  get connectionLost(): boolean {
    return isConnectionLost(this.pgError);
  }
}

/**
 * Whether a run's connection is gone after `error`: for a failed statement judged on the server's own error,
 * else on the error itself, or on what the client's liveness watch saw. Nothing more can be asked over it.
 */
export function connectionGone(error: unknown, client: Client): boolean {
  return (error instanceof StatementFailure ? error.connectionLost : isConnectionLost(error)) || lostReason(client) !== undefined;
}

export function isConnectionLost(error: unknown): boolean {
  const err = error as { code?: string; message?: string };
  return (
    err?.code === '57P01' ||
    err?.code === '57P02' ||
    err?.code === '57P03' ||
    err?.code === 'ECONNRESET' ||
    err?.code === 'EPIPE' ||
    err?.code === 'ETIMEDOUT' ||
    err?.code === 'ECONNREFUSED' ||
    err?.code === 'EHOSTUNREACH' ||
    err?.code === 'ENETUNREACH' ||
    (error as { connectionLostReason?: string })?.connectionLostReason !== undefined ||
    /Connection terminated|not queryable|Client has encountered a connection error|server closed the connection|terminating connection|read ECONNRESET|write EPIPE|socket hang up/i.test(err?.message ?? '')
  );
}

export function describePgError(error: unknown): string {
  const err = error as { message?: string; detail?: string; hint?: string; code?: string };
  let text = err?.message ?? String(error);
  if (err?.code === '57P01') text = `connection lost: the server terminated the session (${text})`;
  else if (err?.code === '57P02' || err?.code === '57P03') text = `connection lost: the server is shutting down or restarting (${text})`;
  else if (isConnectionLost(error) && !/^connection lost/i.test(text)) text = `connection lost: ${text}`;
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
