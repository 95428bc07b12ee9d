import type { SqlStatement } from '../sql/statements.js';

export interface MigrationScript {
  /** Path as shown to users (relative to the working directory when inside it). */
  path: string;
  /**
   * The text the statements were parsed from. For a migration that is one section of a larger file this is
   * the whole file with everything outside the section blanked (same byte length, same lines), so every
   * statement's line and column are the original file's.
   */
  text: string;
  /** Statements to execute, in order (a BEGIN/COMMIT pair wrapping the whole file is left out: the runner owns the transaction). */
  statements: SqlStatement[];
  transactional: boolean;
  /** Statements that forced the file out of a transaction, e.g. "CREATE INDEX CONCURRENTLY (line 3)". */
  nonTransactionalReasons: string[];
  directives: string[];
}

/**
 * How migrations are laid out on disk (src/migrations/layouts/): ddlgate's own and other tools' conventions.
 * `sequential` = `NNN_name.sql` with an optional trailing ROLLBACK comment section.
 */
export type LayoutName =
  | 'native'
  | 'sequential'
  | 'flat'
  | 'drizzle'
  | 'dbmate'
  | 'node-pg-migrate'
  | 'golang-migrate'
  | 'flyway'
  | 'goose'
  | 'sql-migrate'
  | 'diesel'
  | 'prisma'
  | 'supabase'
  | 'sqitch'
  | 'popx'
  | 'graphile-migrate'
  | 'hasura';

/** A part of a file that holds one direction's SQL (dbmate `-- migrate:up`, a ROLLBACK comment block …). */
export interface SqlSection {
  /** Shown to users, e.g. "-- migrate:down". */
  label: string;
  /** 1-based, inclusive: the lines of the file that belong to the section (marker lines excluded). */
  startLine: number;
  endLine: number;
  /** The SQL is commented out (`--   DROP TABLE …`): comment markers are removed, prose lines blanked. */
  commented?: boolean;
}

/** Where one direction's SQL comes from: a whole file, or one section of it. */
export interface SqlSource {
  path: string;
  section?: SqlSection;
  /** The tool's own "no transaction" option (dbmate `transaction:false`): same effect as `-- ddlgate:no-transaction`. */
  noTransaction?: boolean;
  /** A Flyway file: `${name}` placeholders are replaced before parsing, as Flyway does (values in `placeholders`). */
  flyway?: boolean;
  placeholders?: Record<string, string>;
  /**
   * A file its tool runs even when it holds no SQL (a golang-migrate down left empty on purpose): no
   * statements is then a no-op that succeeds, not the mistake it is anywhere else.
   */
  noOpWhenEmpty?: boolean;
}

export interface MigrationEntry {
  /** ddlgate's key for the migration: tracking rows, resume and ordering use it; unique within a set. */
  version: string;
  /**
   * The version its own tool shows, set only when several files share it (sql-migrate keys by file name, so
   * `20241108160105-a.sql` and `20241108160105-b.sql` are two migrations of one version): `version` is then
   * `<toolVersion>.<n>` for the second and later files. Reports show this one; `--to` accepts either.
   */
  toolVersion?: string;
  name: string;
  /** The file holding the up SQL; its checksum is the migration's checksum (for a sectioned file: the whole file). */
  upPath: string;
  /**
   * The down file, only when the down SQL is a whole file of its own (native, golang-migrate, flyway undo).
   * Sectioned layouts (dbmate, node-pg-migrate, ROLLBACK comments) describe their down in downSource only,
   * so that code reading downPath as a whole file never runs the up section backwards.
   */
  downPath?: string;
  /** Which part of which file holds the up SQL. Absent on hand-built entries: then the whole of upPath. */
  upSource?: SqlSource;
  /** Which part of which file holds the down SQL; absent when the migration cannot be rolled back. */
  downSource?: SqlSource;
  layout?: LayoutName;
  /**
   * Set when ddlgate can list the migration but not run it (a goose Go migration): status shows it, and `up`
   * refuses before applying anything, with this reason.
   */
  unrunnable?: string;
  /** Header comments such as `-- Purpose: …` (sequential layout), shown in reports. */
  metadata?: Record<string, string>;
}

export interface Migration extends MigrationEntry {
  checksum: string;
  up: MigrationScript;
  /** Loaded on demand: a broken down file must not block `up`. */
  loadDown(): MigrationScript | undefined;
}
