/**
 * What a failed migration statement needs from outside the migrations, when PostgreSQL's error points at
 * it: an extension the server does not ship, a server older than the SQL, a role made by a platform or an
 * extension. Measured on real histories, these are why a history that applies on one server stops on
 * another; PostgreSQL's own message names the object but not what to do, so the run adds one clause.
 *
 * failureHint is pure; withFailureHint reads the server's version over the connection of the run.
 */
import { serverVersionNum } from './apply.js';
import type { LayoutName } from '../migrations/types.js';
import type { Client } from './connection.js';
import { connectionGone, describePgError, StatementFailure } from './execute.js';

/** The grammar ddlgate parses with (libpg-query 18): SQL it accepted may still be too new for the server. */
export const PARSER_MAJOR = 18;

export interface FailureFacts {
  sqlState: string | undefined;
  message: string;
  /** The server's major version, when it could be read; without it no version hint is given. */
  serverMajor: number | null;
  /** The layout the migration was read as: goose runs Go migrations that ddlgate cannot. */
  layout?: LayoutName | undefined;
}

/** PostgreSQL's "undefined …" errors: table, column, object, function. */
const UNDEFINED = new Set(['42P01', '42703', '42704', '42883']);

export function failureHint(facts: FailureFacts): string | null {
  const { sqlState, message, serverMajor } = facts;
  const extension = /extension "([^"]+)" is not available|could not open extension control file "[^"]*\/([^/"]+)\.control"/.exec(message);
  if (extension && (sqlState === '0A000' || sqlState === '58P01')) {
    const name = extension[1] ?? extension[2];
    return `the server has no "${name}" extension: install its package on the database server (or use an image that ships it), then rerun`;
  }
  if (sqlState === '42601' && serverMajor !== null && serverMajor < PARSER_MAJOR) {
    return `the statement is valid PostgreSQL ${PARSER_MAJOR} SQL (ddlgate parsed it) but this server runs PostgreSQL ${serverMajor}: it may need a newer server`;
  }
  const role = /^role "([^"]+)" does not exist/.exec(message);
  if (role && sqlState === '42704') {
    return `role "${role[1]}" is not created by these migrations: a platform or an extension usually creates it; create it (or install that extension) before migrating`;
  }
  if (facts.layout === 'goose' && sqlState !== undefined && UNDEFINED.has(sqlState)) {
    // Measured on hatchet: a goose Go migration (registered in Go code, kept outside the .sql files) created
    // the table the next SQL migration alters. ddlgate lists Go files it finds in the directory and refuses
    // them; one kept elsewhere it cannot see, so the missing object is the only trace.
    return 'goose also runs Go migrations (registered in Go code with goose.AddMigration); if one of those creates it, apply that one with goose first: ddlgate runs only the SQL migrations';
  }
  return null;
}

/**
 * The failure line, with what the statement needs from outside the migrations when PostgreSQL's error
 * points at it (failureHint above). The server's version is read over the same connection, which is
 * usable again after the failed migration's rollback; over a lost connection no hint is attempted.
 */
export async function withFailureHint(client: Client, error: unknown, layout?: LayoutName): Promise<string> {
  if (!(error instanceof StatementFailure)) return describePgError(error);
  if (connectionGone(error, client)) return error.message;
  const serverMajor = await serverVersionNum(client).then((num) => Math.floor(num / 10000), () => null);
  const hint = failureHint({ sqlState: error.sqlState, message: describePgError(error.pgError), serverMajor, layout });
  return hint ? `${error.message} — ${hint}` : error.message;
}
