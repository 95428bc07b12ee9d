/**
 * Cutting one direction's SQL out of a file that holds more (dbmate `-- migrate:up/down`, node-pg-migrate
 * `-- Up/Down Migration`, trailing ROLLBACK comments) without losing positions: the parser gets the WHOLE
 * file with every character outside the section replaced by spaces of the same UTF-8 byte length and the
 * newlines kept, so byte offsets, lines and columns of every statement are the original file's.
 */
import type { SqlSection } from '../types.js';

export const NO_TRANSACTION_DIRECTIVE = '-- ddlgate:no-transaction';

/** Spaces with the same UTF-8 byte length as each line of `text` (a 3-byte "€" becomes three spaces); newlines kept. */
export function blank(text: string): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(Buffer.byteLength(line, 'utf8')))
    .join('\n');
}

/**
 * The text of a section, positioned as in the file. `directiveLine` (1-based), when given, is replaced by
 * `-- ddlgate:no-transaction` padded to its byte length: a tool's own "no transaction" marker (on the
 * section's marker line) becomes ddlgate's directive, so every reader of the text sees it.
 */
export function sectionText(text: string, section: SqlSection, options: { directiveLine?: number } = {}): string {
  const lines = text.split('\n');
  const sql = section.commented ? commentedSqlLines(lines, section.startLine, section.endLine) : undefined;
  return lines
    .map((line, index) => {
      const number = index + 1;
      const bytes = Buffer.byteLength(line, 'utf8');
      if (number === options.directiveLine && bytes >= NO_TRANSACTION_DIRECTIVE.length) {
        return NO_TRANSACTION_DIRECTIVE + ' '.repeat(bytes - NO_TRANSACTION_DIRECTIVE.length);
      }
      if (number < section.startLine || number > section.endLine) return blank(line);
      if (sql) return sql.has(number) ? uncommentLine(line) : blank(line);
      return line;
    })
    .join('\n');
}

const COMMENT_PREFIX = /^(\s*)--/;

/** `--   DROP TABLE users;` → `     DROP TABLE users;`: the two dashes become two spaces, nothing moves. */
export function uncommentLine(line: string): string {
  const match = COMMENT_PREFIX.exec(line);
  return match ? `${match[1]}  ${line.slice(match[0].length)}` : line;
}

const SQL_START =
  /^(ALTER|ANALYZE|BEGIN|CALL|CLUSTER|COMMENT|COMMIT|COPY|CREATE|DELETE|DISCARD|DO|DROP|GRANT|IMPORT|INSERT|LOCK|MERGE|NOTIFY|REASSIGN|REFRESH|REINDEX|RESET|REVOKE|SECURITY|SELECT|SET|TRUNCATE|UPDATE|VACUUM|WITH)\b/i;

/**
 * Which commented lines of a ROLLBACK block are SQL: a statement starts on a line whose first word is a
 * SQL command and runs until a line ending in ";" (outside dollar quotes); everything else (the banner,
 * "To rollback this migration:", notes) is prose and left out.
 */
export function commentedSqlLines(lines: string[], from: number, to: number): Set<number> {
  const sql = new Set<number>();
  let inStatement = false;
  let dollarTag: string | null = null;
  for (let number = from; number <= to; number++) {
    const line = lines[number - 1] ?? '';
    const match = COMMENT_PREFIX.exec(line);
    if (!match) continue;
    const body = line.slice(match[0].length).replace(/\r$/, '').trim();
    if (!inStatement) {
      if (!SQL_START.test(body) || /:$/.test(body)) continue;
      inStatement = true;
    }
    sql.add(number);
    for (const tag of body.match(/\$[A-Za-z_]*\$/g) ?? []) dollarTag = dollarTag === null ? tag : dollarTag === tag ? null : dollarTag;
    if (dollarTag === null && body.endsWith(';')) inStatement = false;
  }
  return sql;
}
