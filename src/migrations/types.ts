import type { SqlStatement } from '../sql/statements.js';

export interface MigrationScript {
  /** Path as shown to users (relative to the working directory when inside it). */
  path: string;
  text: string;
  /** Statements to execute, in order (a BEGIN/COMMIT pair wrapping the whole file is left out: the runner owns the transaction). */
  statements: SqlStatement[];
  transactional: boolean;
  /** Statements that forced the file out of a transaction, e.g. "CREATE INDEX CONCURRENTLY (line 3)". */
  nonTransactionalReasons: string[];
  directives: string[];
}

export interface MigrationEntry {
  version: string;
  name: string;
  upPath: string;
  downPath?: string;
}

export interface Migration extends MigrationEntry {
  checksum: string;
  up: MigrationScript;
  /** Loaded on demand: a broken down file must not block `up`. */
  loadDown(): MigrationScript | undefined;
}
