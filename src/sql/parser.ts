import { loadModule, parseSync, parsePlPgSQLSync, SqlError } from 'libpg-query';

let loaded: Promise<void> | undefined;

/** Loads the WebAssembly parser once per process; every sync parse needs it first. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export interface RawStatement {
  stmt: Record<string, any>;
  stmt_location?: number;
  stmt_len?: number;
}

export interface RawParseResult {
  version: number;
  stmts: RawStatement[];
}

export class ParseFailure extends Error {
  /** 1-based character (not byte) position in the parsed text, as PostgreSQL reports it; 0 when unknown. */
  constructor(message: string, readonly cursorPosition: number) {
    super(message);
    this.name = 'ParseFailure';
  }
}

export function parseRaw(sql: string): RawParseResult {
  try {
    return parseSync(sql) as unknown as RawParseResult;
  } catch (error) {
    throw toParseFailure(error);
  }
}

/** Parses PL/pgSQL function bodies (CREATE FUNCTION … LANGUAGE plpgsql, or a DO block wrapped as one). */
export function parsePlpgsqlRaw(sql: string): any[] {
  try {
    return parsePlPgSQLSync(sql) as unknown as any[];
  } catch (error) {
    throw toParseFailure(error);
  }
}

function toParseFailure(error: unknown): ParseFailure {
  if (error instanceof SqlError) {
    return new ParseFailure(error.message, error.sqlDetails?.cursorPosition ?? 0);
  }
  return new ParseFailure(error instanceof Error ? error.message : String(error), 0);
}
