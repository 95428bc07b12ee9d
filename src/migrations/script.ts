import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseSqlStatements, SqlSyntaxError, type ParsedSql, type SqlComment } from '../sql/statements.js';
import { nonTransactionalReason, transactionControl } from '../sql/transaction-rules.js';
import { checksumOf } from './checksum.js';
import { displayPath } from './discover.js';
import type { Migration, MigrationEntry, MigrationScript } from './types.js';

const DIRECTIVE = /^--\s*pgsafe:([a-z][a-z-]*)\s*$/i;

export function readSqlFile(file: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch {
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
export function compileScript(file: string, text: string): MigrationScript {
  const path = displayPath(file);
  const parsed = parseScriptText(path, text);
  if (parsed.statements.length === 0) throw new InputError(`${path}: no SQL statements (an empty or comment-only migration is almost always a mistake)`);
  const directives = directivesIn(parsed.headerComments);
  let statements = parsed.statements;
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
    throw new InputError(`${path}:${first.line}:${first.column}: ${nonTransactionalReasons[0]} cannot run inside BEGIN … COMMIT; remove the BEGIN/COMMIT (pgsafe runs this file statement by statement)`);
  }
  const transactional = nonTransactionalReasons.length === 0 && !directives.includes('no-transaction');
  return { path, text, statements, transactional, nonTransactionalReasons, directives };
}

export function loadScript(file: string): MigrationScript {
  return compileScript(file, readSqlFile(file));
}

export function loadMigration(entry: MigrationEntry): Migration {
  const text = readSqlFile(entry.upPath);
  const up = compileScript(entry.upPath, text);
  let down: MigrationScript | undefined;
  return {
    ...entry,
    checksum: checksumOf(text),
    up,
    loadDown() {
      if (!entry.downPath) return undefined;
      down ??= loadScript(entry.downPath);
      return down;
    },
  };
}

export function checksumOfFile(file: string): string {
  return checksumOf(readSqlFile(file));
}
