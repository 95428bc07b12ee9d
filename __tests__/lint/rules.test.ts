import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintSource, type LintOptions } from '../../src/lint/engine.js';
import { RULES } from '../../src/lint/rules/index.js';
import { SchemaModel } from '../../src/lint/schema.js';
import type { LintStatement, MigrationState } from '../../src/lint/types.js';
import { parseSqlStatements, SqlSyntaxError } from '../../src/sql/statements.js';

const LINTED = RULES.filter((rule) => rule.source !== 'dry-run');
const FIXTURES = path.join(process.cwd(), '__tests__/lint/fixtures/rules');

beforeAll(async () => {
  await loadParser();
});

/** `-- ddlgate-test: pgVersion=11 allowBreaking=true` in a fixture sets lint options. */
function optionsOf(text: string): Partial<LintOptions> {
  const options: Partial<LintOptions> = {};
  const match = /--\s*ddlgate-test:\s*(.*)/.exec(text);
  for (const pair of match?.[1]?.split(/\s+/) ?? []) {
    const [key, value] = pair.split('=');
    if (key === 'pgVersion') options.pgVersion = Number(value);
    if (key === 'allowBreaking') options.allowBreaking = value === 'true';
  }
  return options;
}

/** Lines a fixture expects a finding of `rule` on: the line after each `-- expect: rule` marker. */
function expectedLines(text: string, rule: string): number[] {
  const lines = text.split('\n');
  const expected: number[] = [];
  lines.forEach((line, index) => {
    const marker = /--\s*expect:\s*([a-z-]+)/.exec(line);
    if (marker?.[1] === rule) expected.push(index + 2);
    if (/--\s*expect-file:\s*([a-z-]+)/.exec(line)?.[1] === rule) expected.push(1);
  });
  return expected;
}

describe('every rule has a fixture pair', () => {
  test('one directory per rule, and no stray directory', () => {
    const dirs = readdirSync(FIXTURES).sort();
    // dry-run-observed comes from the dry-run's evidence only: __tests__/lint/evidence.test.ts covers it.
    expect(dirs).toEqual(LINTED.map((rule) => rule.id).sort());
  });
});

describe.each(LINTED.map((rule) => [rule.id]))('%s', (id) => {
  test('reports every statement marked in bad.sql, and only those', () => {
    const text = readFileSync(path.join(FIXTURES, id, 'bad.sql'), 'utf8');
    const expected = expectedLines(text, id);
    expect(expected.length).toBeGreaterThan(0);
    const findings = lintSource(text, optionsOf(text)).filter((finding) => finding.rule === id);
    expect(findings.map((finding) => finding.line)).toEqual(expected);
    for (const finding of findings) {
      expect(finding.message.length).toBeGreaterThan(10);
      expect(finding.hint.length).toBeGreaterThan(10);
    }
  });

  test('good.sql (the safe alternative or a harmless look-alike) has no finding at all', () => {
    const text = readFileSync(path.join(FIXTURES, id, 'good.sql'), 'utf8');
    expect(lintSource(text, optionsOf(text))).toEqual([]);
  });
});

describe('rule metadata', () => {
  test.each(RULES.map((rule) => [rule.id, rule]))('%s documents its danger and its safe alternative', (_id, rule) => {
    expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(['error', 'warning', 'info']).toContain(rule.severity);
    expect(rule.summary).not.toMatch(/\n/);
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.safe.length).toBeGreaterThan(30);
  });
});

/** Statement kinds the fixtures have few of, written the way that would interest a rule if it looked at them. */
const MORE_KINDS = `
GRANT SELECT ON orders TO reporting;
REVOKE ALL ON orders FROM PUBLIC;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
COMMENT ON COLUMN orders.total IS 'x';
ALTER SEQUENCE orders_id_seq RESTART WITH 100;
CREATE SEQUENCE s;
CREATE POLICY p ON orders USING (true);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();
CREATE RULE r AS ON INSERT TO orders DO INSTEAD NOTHING;
ALTER INDEX orders_idx SET TABLESPACE fast;
ALTER INDEX orders_idx RENAME TO orders_idx2;
ALTER VIEW v RENAME TO w;
ALTER MATERIALIZED VIEW mv SET TABLESPACE fast;
ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b;
CREATE MATERIALIZED VIEW mv2 AS SELECT id, id FROM orders;
CREATE VIEW v2 (a, a) AS SELECT 1, 2;
CREATE TABLE copy AS SELECT id, id FROM orders;
SELECT id, id INTO t2 FROM orders;
SELECT setval('s', 1), pg_terminate_backend(1) FROM orders;
INSERT INTO orders (id, id) VALUES (1, 2);
INSERT INTO orders SELECT * FROM big;
UPDATE orders SET total = 1, total = 2;
DELETE FROM orders;
MERGE INTO orders o USING src s ON o.id = s.id WHEN MATCHED THEN UPDATE SET total = 1, total = 2;
COPY orders TO PROGRAM 'gzip';
CALL proc(1);
DO $$ BEGIN PERFORM 1; END $$;
ALTER TYPE mood ADD VALUE 'x';
ALTER TYPE mood RENAME VALUE 'a' TO 'b';
ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0);
ALTER DOMAIN d SET NOT NULL;
CREATE DOMAIN d2 AS text;
CREATE TYPE pair AS (a json, b int);
CREATE FOREIGN TABLE ft (a json, a int) SERVER s;
ALTER FOREIGN TABLE ft ADD COLUMN b json;
ALTER SCHEMA app RENAME TO app2;
CREATE SCHEMA app3;
DROP SCHEMA app4 CASCADE;
DROP TABLE orders;
DROP VIEW v;
DROP INDEX orders_idx;
DROP TYPE mood;
DROP FUNCTION f();
DROP TRIGGER t ON orders;
DROP DATABASE prod;
CREATE DATABASE d;
ALTER SYSTEM SET work_mem = '1GB';
REINDEX TABLE orders;
CLUSTER orders USING orders_idx;
VACUUM FULL orders;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
TRUNCATE orders;
REFRESH MATERIALIZED VIEW mv;
CREATE INDEX orders_total_idx ON orders (nope);
SET statement_timeout = 0;
SHOW work_mem;
EXPLAIN ANALYZE SELECT * FROM orders;
PREPARE q AS UPDATE orders SET total = 1;
EXECUTE q;
NOTIFY channel;
LISTEN channel;
ANALYZE orders;
CHECKPOINT;
SECURITY LABEL ON TABLE orders IS 'x';
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reporting;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
ALTER FUNCTION f() OWNER TO app;
CREATE OR REPLACE PROCEDURE proc(int) LANGUAGE sql AS $$ UPDATE orders SET total = 1 $$;
CREATE PUBLICATION pub FOR TABLE orders;
ALTER TABLE orders OWNER TO app;
ALTER TABLE orders ATTACH PARTITION p FOR VALUES IN (1);
ALTER TABLE orders DETACH PARTITION p;
CREATE STATISTICS st ON a, b FROM orders;
DECLARE c CURSOR FOR SELECT 1;
`;

/** Every statement of every lint fixture (and of the rules' documented examples), for the kinds check below. */
function corpus(): Array<{ file: string; statement: LintStatement }> {
  const files: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.sql')) files.push({ file: full, text: readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(process.cwd(), '__tests__/lint/fixtures'));
  for (const rule of RULES) for (const example of [rule.bad, rule.good]) if (example) files.push({ file: `${rule.id} example`, text: example });
  files.push({ file: 'more kinds', text: MORE_KINDS });
  const out: Array<{ file: string; statement: LintStatement }> = [];
  for (const { file, text } of files) {
    let statements;
    try {
      statements = parseSqlStatements(text).statements;
    } catch (error) {
      if (error instanceof SqlSyntaxError) continue;
      throw error;
    }
    for (const s of statements) {
      out.push({ file, statement: { node: s.node, kind: s.kind, sql: s.sql, line: s.line, column: s.column, endLine: s.endLine, inTransaction: true, transactionId: 1, origin: 'file', originNote: '' } });
    }
  }
  return out;
}

/** A state in which as much as possible is reportable: nothing is new, a lock is held, a constraint was just added NOT VALID. */
function permissiveState(pgVersion: number): MigrationState {
  return {
    schema: new SchemaModel({ complete: true }),
    pgVersion,
    transactional: true,
    down: false,
    isNewTable: () => false,
    isNewIndex: () => false,
    isNewSchema: () => false,
    isNewType: () => false,
    hasValidatedNotNullCheck: () => false,
    notValidConstraintInSameTransaction: () => 1,
    accessExclusiveHeld: () => ({ table: 'public.elsewhere', line: 1, reported: false }),
    enumValuesAddedInTransaction: () => new Map(),
  };
}

describe('rule kinds (the engine calls a rule only for the statement kinds it declares)', () => {
  // Built in the tests, after beforeAll has loaded the parser.
  let statements: ReturnType<typeof corpus> | undefined;
  const all = () => (statements ??= corpus());

  test('the corpus holds many statement kinds', () => {
    expect(new Set(all().map(({ statement }) => statement.kind)).size).toBeGreaterThan(50);
  });

  test.each(RULES.filter((rule) => rule.kinds).map((rule) => [rule.id, rule]))('%s reports nothing on a statement of a kind it does not declare', (_id, rule) => {
    for (const pgVersion of [10, 18]) {
      for (const { file, statement } of all()) {
        if (rule.kinds!.includes(statement.kind)) continue;
        const hits = rule.check(statement, permissiveState(pgVersion));
        if (hits.length > 0) throw new Error(`${rule.id} reports on a ${statement.kind} (${file}:${statement.line}) but does not declare that kind`);
      }
    }
  });
});
