import { loadParser } from '../../src/sql/parser.js';
import { parseSqlStatements, SqlSyntaxError } from '../../src/sql/statements.js';
import { withoutConcurrently } from '../../src/sql/concurrently.js';

beforeAll(async () => {
  await loadParser();
});

describe('parseSqlStatements', () => {
  it('maps byte offsets to the right line and column after multi-byte characters', () => {
    const sql = "-- café ☕ and 🎉\nSELECT 'é🎉';\n  CREATE TABLE t (id int);\nSELECT 'x'";
    const { statements } = parseSqlStatements(sql);
    expect(statements.map((s) => [s.line, s.column, s.kind])).toEqual([
      [2, 1, 'SelectStmt'],
      [3, 3, 'CreateStmt'],
      [4, 1, 'SelectStmt'],
    ]);
    expect(statements[0]!.sql).toBe("SELECT 'é🎉'");
    expect(statements[1]!.sql).toBe('CREATE TABLE t (id int)');
    expect(statements[1]!.endLine).toBe(3);
  });

  it('keeps DO blocks and function bodies whole, semicolons inside included', () => {
    const sql = `DO $$\nBEGIN\n  ALTER TABLE a DROP COLUMN b;\n  PERFORM 1;\nEND\n$$;\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN RETURN 1; END\n$body$;`;
    const { statements } = parseSqlStatements(sql);
    expect(statements).toHaveLength(2);
    expect(statements[0]!.kind).toBe('DoStmt');
    expect(statements[0]!.endLine).toBe(6);
    expect(statements[1]!.line).toBe(7);
    expect(statements[1]!.sql.endsWith('$body$')).toBe(true);
  });

  it('attaches leading comments to the statement they precede', () => {
    const sql = '-- ddlgate:no-transaction\n-- header\n\nSELECT 1;\n/* block\n comment */\n-- ddlgate-ignore rule: why\nSELECT 2;';
    const parsed = parseSqlStatements(sql);
    expect(parsed.headerComments.map((c) => c.text)).toEqual(['-- ddlgate:no-transaction', '-- header']);
    expect(parsed.statements[1]!.leadingComments.map((c) => [c.line, c.text])).toEqual([
      [5, '/* block\n comment */'],
      [7, '-- ddlgate-ignore rule: why'],
    ]);
    expect(parsed.statements[1]!.line).toBe(8);
  });

  it('reports syntax errors at the right line and column, past multi-byte characters', () => {
    const sql = "SELECT 'é🎉';\nSELECT 1 FRM t;";
    try {
      parseSqlStatements(sql);
      throw new Error('expected a syntax error');
    } catch (error) {
      expect(error).toBeInstanceOf(SqlSyntaxError);
      const e = error as SqlSyntaxError;
      expect([e.line, e.column]).toEqual([2, 14]);
      expect(e.reason).toMatch(/syntax error at or near "t"/);
    }
  });

  it('names psql meta-commands instead of a confusing syntax error', () => {
    expect(() => parseSqlStatements('SELECT 1;\n\\i other.sql\n')).toThrow(/2:1: psql meta-command \\i/);
  });

  it('parses an empty or comment-only text to no statements', () => {
    expect(parseSqlStatements('').statements).toHaveLength(0);
    expect(parseSqlStatements('-- nothing\n/* here */').statements).toHaveLength(0);
  });
});

describe('withoutConcurrently', () => {
  it('removes only the keyword token, not identifiers or strings that spell it', () => {
    expect(withoutConcurrently('CREATE INDEX CONCURRENTLY "concurrently" ON t (a)')).toBe('CREATE INDEX  "concurrently" ON t (a)');
    expect(withoutConcurrently('DROP INDEX /* x */ concurrently IF EXISTS i')).toBe('DROP INDEX /* x */  IF EXISTS i');
    expect(withoutConcurrently("SELECT 'concurrently'")).toBe("SELECT 'concurrently'");
  });

  it('removes an option of a parenthesised list with its value, and the parentheses when it was alone', () => {
    expect(withoutConcurrently('REINDEX (CONCURRENTLY) INDEX idx')).toBe('REINDEX  INDEX idx');
    expect(withoutConcurrently('REINDEX (CONCURRENTLY true) TABLE foo')).toBe('REINDEX  TABLE foo');
    expect(withoutConcurrently('REINDEX (VERBOSE, CONCURRENTLY) INDEX idx')).toBe('REINDEX (VERBOSE) INDEX idx');
    expect(withoutConcurrently('REINDEX (CONCURRENTLY on, VERBOSE) INDEX idx')).toBe('REINDEX (VERBOSE) INDEX idx');
    // Each result is what PostgreSQL parses: the same statement without the option.
    for (const sql of ['REINDEX (CONCURRENTLY) INDEX idx', 'REINDEX (CONCURRENTLY true) TABLE foo', 'REINDEX (VERBOSE, CONCURRENTLY false) INDEX idx']) {
      expect(() => parseSqlStatements(withoutConcurrently(sql))).not.toThrow();
    }
  });
});
