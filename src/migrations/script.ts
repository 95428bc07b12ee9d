import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseSqlStatements, SqlSyntaxError, type ParsedSql, type SqlComment } from '../sql/statements.js';
import { managesOwnTransactions, nonTransactionalReason, transactionControl } from '../sql/transaction-rules.js';
import { checksumOf } from './checksum.js';
import { displayPath } from './layouts/files.js';
import { sectionText } from './layouts/section.js';
import { replaceFlywayPlaceholders } from './placeholders.js';
import type { Migration, MigrationEntry, MigrationScript, SqlSource } from './types.js';

const DIRECTIVE = /^--\s*ddlgate:([a-z][a-z-]*)\s*$/i;

/** Larger files are data loads, not schema migrations: parsing and holding them in one transaction is a trap. */
export const MAX_MIGRATION_BYTES = 16 * 1024 * 1024;

export function readSqlFile(file: string): string {
  let buffer: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_MIGRATION_BYTES) {
      throw new InputError(`${displayPath(file)}: ${(size / 1024 / 1024).toFixed(1)} MB is over the ${MAX_MIGRATION_BYTES / 1024 / 1024} MB limit for one migration; split it, or load data with COPY outside the migrations`);
    }
    buffer = readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${displayPath(file)}: cannot read file`);
  }
  if (buffer.includes(0)) throw new InputError(`${displayPath(file)}: binary content (NUL byte), not a SQL text file`);
  const text = buffer.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buffer)) {
    const line = firstInvalidUtf8Line(buffer);
    throw new InputError(`${displayPath(file)}:${line}: invalid UTF-8; save the file as UTF-8`);
  }
  return text.replace(/^\uFEFF/, '');
}

function firstInvalidUtf8Line(buffer: Buffer): number {
  const text = buffer.toString('utf8');
  const index = text.indexOf('\uFFFD');
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

export function parseScriptText(path: string, text: string): ParsedSql {
  try {
    return parseSqlStatements(text);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new InputError(`${path}:${error.line}:${error.column}: ${error.reason}`);
    throw error;
  }
}

export function directivesIn(comments: SqlComment[]): string[] {
  return comments.flatMap((comment) => {
    const match = DIRECTIVE.exec(comment.text.trim());
    return match ? [match[1]!.toLowerCase()] : [];
  });
}

/** Parses a migration file and decides how it must run (in a transaction or statement by statement). */
export function compileScript(file: string, text: string, options: { noTransaction?: boolean; label?: string; noOpWhenEmpty?: boolean } = {}): MigrationScript {
  const path = displayPath(file);
  const parsed = parseScriptText(path, text);
  if (parsed.statements.length === 0 && options.noOpWhenEmpty) return { path, text, statements: [], transactional: true, nonTransactionalReasons: [], directives: [] };
  if (parsed.statements.length === 0) throw new InputError(`${path}: no SQL statements${options.label ? ` in its ${options.label} section` : ''} (an empty or comment-only migration is almost always a mistake)`);
  const directives = directivesIn(parsed.headerComments);
  if (options.noTransaction && !directives.includes('no-transaction')) directives.push('no-transaction');
  let statements = parsed.statements;
  const ownBlocks = managesOwnTransactions(statements);
  const noTransaction = directives.includes('no-transaction');
  if (ownBlocks || (noTransaction && statements.some((statement) => transactionControl(statement) && transactionControl(statement) !== 'savepoint'))) {
    // Runs as written, statement by statement: its own BEGIN … COMMIT blocks are its transactions (what
    // golang-migrate, sql-migrate and psql do with such a file).
    const begin = statements.find((statement) => transactionControl(statement) === 'begin');
    const nonTransactionalReasons = [
      ...(begin ? [`manages its own transactions (BEGIN at line ${begin.line})`] : []),
      ...statements.flatMap((statement) => {
        const reason = nonTransactionalReason(statement);
        return reason ? [`${reason} (line ${statement.line})`] : [];
      }),
    ];
    if (!nonTransactionalReasons.length) nonTransactionalReasons.push('-- ddlgate:no-transaction');
    return { path, text, statements, transactional: false, nonTransactionalReasons, directives };
  }
  const first = statements[0]!;
  const last = statements[statements.length - 1]!;
  const wrapped = statements.length >= 2 && transactionControl(first) === 'begin' && transactionControl(last) === 'commit';
  if (wrapped) statements = statements.slice(1, -1);
  for (const statement of statements) {
    const control = transactionControl(statement);
    if (control && control !== 'savepoint') {
      throw new InputError(`${path}:${statement.line}:${statement.column}: ${statement.sql.split(/\s/)[0]!.toUpperCase()} here would break the runner's transaction; BEGIN/COMMIT may only wrap the whole file`);
    }
  }
  const nonTransactionalReasons = statements.flatMap((statement) => {
    const reason = nonTransactionalReason(statement);
    return reason ? [`${reason} (line ${statement.line})`] : [];
  });
  if (wrapped && nonTransactionalReasons.length > 0) {
    throw new InputError(`${path}:${first.line}:${first.column}: ${nonTransactionalReasons[0]} cannot run inside BEGIN … COMMIT; remove the BEGIN/COMMIT (ddlgate runs this file statement by statement)`);
  }
  const transactional = nonTransactionalReasons.length === 0 && !directives.includes('no-transaction');
  return { path, text, statements, transactional, nonTransactionalReasons, directives };
}

export function loadScript(file: string): MigrationScript {
  return compileScript(file, readSqlFile(file));
}

/**
 * The text to parse for a source: the file itself, or the whole file with everything outside the section
 * blanked (src/migrations/layouts/section.ts), so positions stay the file's. Linters use this too.
 */
export function sourceText(source: SqlSource, fileText: string): string {
  if (source.flyway) fileText = replaceFlywayPlaceholders(source, fileText);
  if (!source.section) return fileText;
  // The marker line just above the section (e.g. `-- migrate:up transaction:false`) carries the tool's option.
  return sectionText(fileText, source.section, source.noTransaction ? { directiveLine: source.section.startLine - 1 } : {});
}

export function loadSource(source: SqlSource): MigrationScript {
  const text = sourceText(source, readSqlFile(source.path));
  return compileScript(source.path, text, {
    ...(source.noTransaction ? { noTransaction: true } : {}),
    ...(source.section ? { label: source.section.label } : {}),
    ...(source.noOpWhenEmpty ? { noOpWhenEmpty: true } : {}),
  });
}

export function upSourceOf(entry: MigrationEntry): SqlSource {
  return entry.upSource ?? { path: entry.upPath };
}

export function downSourceOf(entry: MigrationEntry): SqlSource | undefined {
  return entry.downSource ?? (entry.downPath ? { path: entry.downPath } : undefined);
}

/** The down script of an entry, or undefined when it has none. */
export function loadDownScript(entry: MigrationEntry): MigrationScript | undefined {
  const source = downSourceOf(entry);
  return source ? loadSource(source) : undefined;
}

/**
 * Loads the up script. The checksum is always of the whole file that holds the up SQL (for dbmate,
 * node-pg-migrate and ROLLBACK-comment files that includes the down section: editing either is a change).
 */
export function loadMigration(entry: MigrationEntry): Migration {
  if (entry.unrunnable) throw new InputError(entry.unrunnable);
  const source = upSourceOf(entry);
  const fileText = readSqlFile(source.path);
  const up = compileScript(source.path, sourceText(source, fileText), {
    ...(source.noTransaction ? { noTransaction: true } : {}),
    ...(source.section ? { label: source.section.label } : {}),
  });
  let down: MigrationScript | undefined;
  return {
    ...entry,
    checksum: checksumOf(fileText),
    up,
    loadDown() {
      down ??= loadDownScript(entry);
      return down;
    },
  };
}

export function checksumOfFile(file: string): string {
  return checksumOf(readSqlFile(file));
}
