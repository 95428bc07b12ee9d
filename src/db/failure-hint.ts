/**
 * What a failed migration statement needs from outside the migrations, when PostgreSQL's error points at
 * it: an extension the server does not ship, a server older than the SQL, a role made by a platform or an
 * extension. Measured on real histories, these are why a history that applies on one server stops on
 * another; PostgreSQL's own message names the object but not what to do, so the run adds one clause.
 */

/** The grammar ddlgate parses with (libpg-query 18): SQL it accepted may still be too new for the server. */
export const PARSER_MAJOR = 18;

export interface FailureFacts {
  sqlState: string | undefined;
  message: string;
  /** The server's major version, when it could be read; without it no version hint is given. */
  serverMajor: number | null;
}

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
  return null;
}
