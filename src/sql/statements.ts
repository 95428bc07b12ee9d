import { ParseFailure, parseRaw } from './parser.js';
import { SourceMap } from './positions.js';

export interface SqlComment {
  text: string;
  line: number;
}

export interface SqlStatement {
  index: number;
  /** The statement's own text, from its first token to its end (no trailing semicolon). */
  sql: string;
  /** The parse tree node, e.g. `{ IndexStmt: {...} }`. */
  node: Record<string, any>;
  /** Node type name, e.g. `IndexStmt`. */
  kind: string;
  startByte: number;
  endByte: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Comments between the previous statement and this one, in order. */
  leadingComments: SqlComment[];
}

export interface ParsedSql {
  statements: SqlStatement[];
  /** Comments before the first statement (the file's leading block, where directives live). */
  headerComments: SqlComment[];
  source: SourceMap;
}

export class SqlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'SqlSyntaxError';
  }
}

/** Splits SQL into statements with exact positions, using the real PostgreSQL parser. */
export function parseSqlStatements(text: string): ParsedSql {
  const source = new SourceMap(text);
  const onlyTrivia = skipLeadingTrivia(source, 0, source.bytes.length);
  if (onlyTrivia.firstTokenByte >= source.bytes.length) return { statements: [], headerComments: onlyTrivia.comments, source };
  let raw;
  try {
    raw = parseRaw(text);
  } catch (error) {
    throw toSyntaxError(error, source);
  }
  const statements: SqlStatement[] = [];
  // Trivia (comments, whitespace, the previous ';') is scanned from the end of the previous statement:
  // the parser places the first statement's location at its first token, after any leading comments.
  let previousEnd = 0;
  for (const [index, entry] of raw.stmts.entries()) {
    const regionStart = entry.stmt_location ?? 0;
    const regionEnd = entry.stmt_len ? regionStart + entry.stmt_len : source.bytes.length;
    const { firstTokenByte, comments } = skipLeadingTrivia(source, Math.min(previousEnd, regionStart), regionEnd);
    previousEnd = regionEnd;
    const endByte = trimTrailingWhitespace(source.bytes, firstTokenByte, regionEnd);
    const start = source.positionOfByte(firstTokenByte);
    const end = source.positionOfByte(Math.max(firstTokenByte, endByte - 1));
    const kind = Object.keys(entry.stmt)[0] ?? 'Unknown';
    statements.push({
      index,
      sql: source.slice(firstTokenByte, endByte),
      node: entry.stmt,
      kind,
      startByte: firstTokenByte,
      endByte,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column + 1,
      leadingComments: comments,
    });
  }
  const headerComments = statements[0]?.leadingComments ?? [];
  return { statements, headerComments, source };
}

function toSyntaxError(error: unknown, source: SourceMap): SqlSyntaxError {
  const cursor = error instanceof ParseFailure ? error.cursorPosition : 0;
  const message = error instanceof Error ? error.message : String(error);
  const metaCommand = findPsqlMetaCommand(source);
  if (metaCommand) {
    return new SqlSyntaxError(
      `psql meta-command ${metaCommand.command} is not SQL; ddlgate runs plain SQL only (inline the file or use a separate migration)`,
      metaCommand.line,
      1,
    );
  }
  const position = source.positionOfByte(source.byteOfCodePoint(cursor));
  return new SqlSyntaxError(message, position.line, position.column);
}

/**
 * A psql meta-command (`\i`, `\set` …) at the start of a line — only where a line starts outside a string
 * literal, quoted identifier, dollar-quoted body or comment: a `\` line inside a literal is data, and the
 * real syntax error is reported instead.
 */
function findPsqlMetaCommand(source: SourceMap): { command: string; line: number } | undefined {
  const text = source.text;
  let state: 'code' | 'single' | 'escape' | 'double' | 'line-comment' | 'block-comment' | 'dollar' = 'code';
  let depth = 0;
  let tag = '';
  let line = 1;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    if (lineStart && state === 'code') {
      const match = /^[ \t]*(\\[a-zA-Z!?][a-zA-Z]*)/.exec(text.slice(i, i + 64));
      if (match) return { command: match[1]!, line };
    }
    lineStart = false;
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n') {
      line++;
      lineStart = true;
      if (state === 'line-comment') state = 'code';
      continue;
    }
    switch (state) {
      case 'code':
        if (c === "'") state = (text[i - 1] === 'E' || text[i - 1] === 'e') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '') ? 'escape' : 'single';
        else if (c === '"') state = 'double';
        else if (c === '-' && next === '-') state = 'line-comment';
        else if (c === '/' && next === '*') {
          state = 'block-comment';
          depth = 1;
          i++;
        } else if (c === '$') {
          const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66));
          if (m && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
            tag = m[0];
            state = 'dollar';
            i += tag.length - 1;
          }
        }
        break;
      case 'single':
        if (c === "'") {
          if (next === "'") i++;
          else state = 'code';
        }
        break;
      case 'escape':
        if (c === '\\') i++;
        else if (c === "'") {
          if (next === "'") i++;
          else state = 'code';
        }
        break;
      case 'double':
        if (c === '"') state = 'code';
        break;
      case 'block-comment':
        if (c === '/' && next === '*') {
          depth++;
          i++;
        } else if (c === '*' && next === '/') {
          i++;
          if (--depth === 0) state = 'code';
        }
        break;
      case 'dollar':
        if (c === '$' && text.startsWith(tag, i)) {
          i += tag.length - 1;
          state = 'code';
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]);

/** Whitespace and comments before a statement's first token; comments are kept for directives. */
function skipLeadingTrivia(source: SourceMap, from: number, to: number): { firstTokenByte: number; comments: SqlComment[] } {
  const bytes = source.bytes;
  const comments: SqlComment[] = [];
  let i = from;
  while (i < to) {
    const byte = bytes[i]!;
    if (SPACE.has(byte) || byte === 0x3b /* stray ';' of an empty statement */) {
      i++;
    } else if (byte === 0x2d && bytes[i + 1] === 0x2d) {
      let end = i;
      while (end < to && bytes[end] !== 0x0a) end++;
      comments.push({ text: source.slice(i, end).replace(/\r$/, ''), line: source.positionOfByte(i).line });
      i = end;
    } else if (byte === 0x2f && bytes[i + 1] === 0x2a) {
      let depth = 0;
      let end = i;
      while (end < to) {
        if (bytes[end] === 0x2f && bytes[end + 1] === 0x2a) {
          depth++;
          end += 2;
        } else if (bytes[end] === 0x2a && bytes[end + 1] === 0x2f) {
          depth--;
          end += 2;
          if (depth === 0) break;
        } else end++;
      }
      comments.push({ text: source.slice(i, end), line: source.positionOfByte(i).line });
      i = end;
    } else break;
  }
  return { firstTokenByte: i, comments };
}

function trimTrailingWhitespace(bytes: Buffer, from: number, to: number): number {
  let end = to;
  while (end > from && SPACE.has(bytes[end - 1]!)) end--;
  return end;
}
