/** Formatting with sql-formatter, refused whenever the result would parse to a different tree. */
import { format } from 'sql-formatter';
import { parseRaw } from '../sql/parser.js';
import { parseSqlStatements } from '../sql/statements.js';

export type FormatResult = { ok: true; formatted: string } | { ok: false; reason: string };

export type Formatter = (sql: string) => string;

const sqlFormatter: Formatter = (sql) => format(sql, { language: 'postgresql', keywordCase: 'preserve', tabWidth: 2, linesBetweenQueries: 1 });

export function formatMigrationSql(text: string, formatter: Formatter = sqlFormatter): FormatResult {
  const source = text.replace(/^\uFEFF/, '');
  let before: string;
  try {
    before = treeFingerprint(source);
  } catch (error) {
    return { ok: false, reason: `the file does not parse (${firstLine(error)}); fix it first (ddlgate lint shows where)` };
  }
  let formatted: string;
  try {
    formatted = formatter(source);
  } catch (error) {
    return { ok: false, reason: `sql-formatter cannot format it (${firstLine(error)})` };
  }
  formatted = `${formatted.replace(/\s+$/, '')}\n`;
  let after: string;
  try {
    after = treeFingerprint(formatted);
  } catch (error) {
    return { ok: false, reason: `the formatted SQL would not parse (${firstLine(error)})` };
  }
  if (after !== before) return { ok: false, reason: 'the formatted SQL would parse to a different statement tree' };
  if (ddlgateComments(source) !== ddlgateComments(formatted)) {
    return { ok: false, reason: 'formatting would move a ddlgate directive or ddlgate-ignore comment away from its statement' };
  }
  return { ok: true, formatted };
}

/** The parse tree without positions: equal fingerprints mean the same statements. */
function treeFingerprint(sql: string): string {
  return JSON.stringify(parseRaw(sql).stmts.map((entry) => entry.stmt), (key, value) => (key === 'location' ? undefined : value));
}

/** Which ddlgate comments precede which statement. */
function ddlgateComments(sql: string): string {
  const { statements, headerComments } = parseSqlStatements(sql);
  const groups = statements.map((statement) => statement.leadingComments.filter((c) => /ddlgate/i.test(c.text)).map((c) => c.text.trim()));
  if (statements.length === 0) groups.push(headerComments.filter((c) => /ddlgate/i.test(c.text)).map((c) => c.text.trim()));
  return JSON.stringify(groups);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
