import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadParser } from '../../src/sql/parser.js';
import { lintSource, literalSql } from '../../src/lint/engine.js';

const TRAPS = path.join(process.cwd(), '__tests__/lint/fixtures/traps');

beforeAll(async () => {
  await loadParser();
});

const rulesOf = (sql: string, options = {}) => lintSource(sql, options).map((f) => `${f.line}:${f.rule}`);

describe('regex traps: DDL words in strings, comments, dollar-quoted bodies and identifiers', () => {
  test.each(readdirSync(TRAPS).map((file) => [file]))('%s has zero findings', (file) => {
    expect(lintSource(readFileSync(path.join(TRAPS, file), 'utf8'))).toEqual([]);
  });
});

describe('positions', () => {
  test('findings carry the statement position (1-based line, column, endLine), not the file start', () => {
    const sql = 'CREATE TABLE a (id int);\n\n   ALTER TABLE users\n     DROP COLUMN email;\n';
    const [finding] = lintSource(sql);
    expect(finding).toMatchObject({ rule: 'drop-column', line: 3, column: 4, endLine: 4 });
  });

  test('columns count characters, not UTF-8 bytes', () => {
    const sql = "SELECT 'é';  ALTER TABLE users DROP COLUMN email;";
    expect(lintSource(sql)[0]).toMatchObject({ line: 1, column: 14 });
  });

  test('a statement inside a DO block is reported where it is written', () => {
    const sql = ['DO $$', 'BEGIN', "  IF to_regclass('users') IS NOT NULL THEN", '    ALTER TABLE users', '      DROP COLUMN email;', '  END IF;', 'END', '$$;'].join('\n');
    const [finding] = lintSource(sql);
    expect(finding).toMatchObject({ rule: 'drop-column', line: 4, column: 5, endLine: 5 });
    expect(finding!.message).toContain('in the DO block at line 1');
  });

  test('EXECUTE of a literal or of format() with a literal is checked', () => {
    const sql = ['DO $$', 'BEGIN', "  EXECUTE 'TRUNCATE sessions';", "  EXECUTE format('ALTER TABLE %I DROP COLUMN legacy', 'users');", '  EXECUTE some_variable;', 'END', '$$;'].join('\n');
    expect(rulesOf(sql)).toEqual(['3:truncate', '4:drop-column']);
  });

  test('literalSql understands quotes, dollar quotes and format placeholders', () => {
    expect(literalSql("'DROP TABLE x'")).toBe('DROP TABLE x');
    expect(literalSql("'SELECT ''a'''")).toBe("SELECT 'a'");
    expect(literalSql('$q$TRUNCATE t$q$')).toBe('TRUNCATE t');
    expect(literalSql("format('ALTER TABLE %I.%I ADD COLUMN c int DEFAULT %L', s, t, v)")).toBe("ALTER TABLE ddlgate_name.ddlgate_name ADD COLUMN c int DEFAULT 'ddlgate_value'");
    expect(literalSql("'DROP TABLE ' || name")).toBeUndefined();
    expect(literalSql('statement')).toBeUndefined();
  });
});

describe('context: what the migration created earlier', () => {
  test('an index, a FK, a NOT NULL on a table created in the same migration are safe', () => {
    const sql = [
      'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);',
      'CREATE INDEX orders_user_idx ON orders (user_id);',
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      'ALTER TABLE orders ALTER COLUMN total SET NOT NULL;',
      'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
      'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);',
    ].join('\n');
    expect(lintSource(sql)).toEqual([]);
  });

  test('schema-qualified and unqualified names of the same new table match', () => {
    expect(lintSource('CREATE TABLE app.items (id int);\nCREATE INDEX items_id_idx ON items (id);')).toEqual([]);
    expect(rulesOf('CREATE TABLE app.items (id int);\nCREATE INDEX items_id_idx ON other.items (id);')).toEqual(['2:create-index-not-concurrently']);
  });

  test('a table renamed in the migration stays new under its new name', () => {
    expect(lintSource('CREATE TABLE tmp_items (id int);\nALTER TABLE tmp_items RENAME TO items;\nCREATE INDEX items_id_idx ON items (id);')).toEqual([]);
  });

  test('CREATE TABLE AS and SELECT INTO create tables too', () => {
    expect(lintSource('CREATE TABLE snapshot AS SELECT * FROM users;\nCREATE INDEX snapshot_id_idx ON snapshot (id);')).toEqual([]);
  });
});

describe('target PostgreSQL version', () => {
  test('a constant DEFAULT on ADD COLUMN rewrites the table only before 11', () => {
    const sql = "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';";
    expect(rulesOf(sql, { pgVersion: 15 })).toEqual([]);
    expect(rulesOf(sql, { pgVersion: 10 })).toEqual(['1:add-column-volatile-default']);
  });

  test('ALTER TYPE … ADD VALUE runs in a transaction since 12', () => {
    const sql = "ALTER TYPE order_status ADD VALUE 'refunded';";
    expect(rulesOf(sql, { pgVersion: 11 })).toEqual(['1:enum-value-in-transaction']);
    expect(rulesOf(sql, { pgVersion: 12 })).toEqual([]);
  });

  test('using the new enum value in the same transaction is reported', () => {
    const sql = "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;";
    expect(rulesOf(sql, { pgVersion: 16 })).toEqual(['2:enum-value-in-transaction']);
    expect(rulesOf(`-- ddlgate:no-transaction\n${sql}`, { pgVersion: 16 })).toEqual([]);
  });

  test('SET NOT NULL after a validated CHECK is quiet only from 12', () => {
    const sql = '-- ddlgate:no-transaction\nALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;';
    expect(rulesOf(sql, { pgVersion: 12 })).toEqual([]);
    expect(rulesOf(sql, { pgVersion: 11 })).toEqual(['4:set-not-null']);
  });

  test('a CHECK validated in the same statement it is added (no NOT VALID) also enables SET NOT NULL, but is itself reported', () => {
    const sql = 'ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL AND name IS NOT NULL);\nALTER TABLE users ALTER COLUMN name SET NOT NULL;';
    expect(rulesOf(sql)).toEqual(['1:check-without-not-valid']);
  });

  test('a default calling a function that is not built in is an error (functions are VOLATILE unless declared), unless an earlier statement declared it STABLE', () => {
    const [finding] = lintSource('ALTER TABLE users ADD COLUMN code text DEFAULT make_code();');
    expect(finding).toMatchObject({ rule: 'add-column-volatile-default', severity: 'error' });
    expect(lintSource("CREATE FUNCTION make_code() RETURNS text STABLE LANGUAGE sql AS 'SELECT 1::text';\nALTER TABLE users ADD COLUMN code text DEFAULT make_code();")).toEqual([]);
    expect(lintSource('ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now(123);')[0]).toMatchObject({ rule: 'add-column-volatile-default', severity: 'error' });
  });

  test('a change to text without USING is a warning (may be binary-coercible), other type changes are errors', () => {
    expect(lintSource('ALTER TABLE users ALTER COLUMN bio TYPE text;')[0]).toMatchObject({ rule: 'change-column-type', severity: 'warning' });
    expect(lintSource('ALTER TABLE users ALTER COLUMN id TYPE bigint;')[0]).toMatchObject({ rule: 'change-column-type', severity: 'error' });
  });
});

describe('transactions', () => {
  test('CONCURRENTLY in a file the runner runs statement by statement is fine', () => {
    expect(lintSource('CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN x int;')).toEqual([]);
  });

  test('CONCURRENTLY inside BEGIN … COMMIT is a finding, not a crash', () => {
    expect(rulesOf('BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;')).toEqual(['2:concurrently-in-transaction']);
  });

  test('CONCURRENTLY inside a DO block is a finding', () => {
    expect(rulesOf('DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON users (email); END $$;')).toEqual(['1:concurrently-in-transaction']);
  });

  test('VALIDATE in its own transaction is fine, in the same one as ADD … NOT VALID it is not', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;';
    expect(rulesOf(sql)).toEqual(['2:validate-in-same-transaction']);
    expect(rulesOf(`-- ddlgate:no-transaction\n${sql}`)).toEqual([]);
    expect(rulesOf(`BEGIN;\n${sql}\nCOMMIT;`)).toEqual(['3:validate-in-same-transaction']);
  });

  test('slow work after an ACCESS EXCLUSIVE lock is reported once per transaction', () => {
    const sql = [
      'ALTER TABLE users ADD COLUMN plan text;',
      "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
      'CREATE INDEX orders_total_idx ON orders (total);',
    ].join('\n');
    expect(rulesOf(sql)).toEqual(['2:statements-after-access-exclusive', '3:create-index-not-concurrently']);
    expect(rulesOf(`-- ddlgate:no-transaction\n${sql}`)).toEqual(['4:create-index-not-concurrently']);
  });

  test('a stray COMMIT is a finding', () => {
    expect(rulesOf('CREATE TABLE a (id int);\nCOMMIT;')).toEqual(['2:transaction-control']);
  });
});

describe('function bodies', () => {
  test('a function the migration creates and calls is checked; one it only creates is not', () => {
    const create = ['CREATE FUNCTION migrate_data(batch int) RETURNS void LANGUAGE plpgsql AS $$', 'BEGIN', '  UPDATE users SET plan = batch;', 'END', '$$;'].join('\n');
    expect(lintSource(create)).toEqual([]);
    const findings = lintSource(`${create}\nSELECT migrate_data(100);\nDROP FUNCTION migrate_data(int);`);
    expect(findings.map((f) => `${f.line}:${f.rule}`)).toEqual(['3:update-without-where']);
    expect(findings[0]!.message).toContain('in function migrate_data, called at line 6');
  });

  test('SQL-language functions and procedures are checked when called', () => {
    const sql = "CREATE PROCEDURE purge() LANGUAGE sql AS 'DELETE FROM sessions';\nCALL purge();";
    expect(rulesOf(sql)).toEqual(['1:delete-without-where']);
    const atomic = 'CREATE PROCEDURE purge2() LANGUAGE sql BEGIN ATOMIC TRUNCATE sessions; END;\nCALL purge2();';
    expect(rulesOf(atomic)).toEqual(['1:truncate']);
  });

  test('a DO block body that does not parse is a syntax finding', () => {
    const [finding] = lintSource('DO $$ BEGIN FOR r IN SELECT 1 LOOP NULL; END LOOP; END $$;');
    expect(finding).toMatchObject({ rule: 'syntax', severity: 'error', line: 1 });
  });

  test('DO blocks in other languages are not analysed', () => {
    expect(lintSource('DO LANGUAGE plperl $$ spi_exec_query("DROP TABLE users") $$;')).toEqual([]);
  });
});

describe('file problems are findings', () => {
  test('a syntax error is a finding on its line', () => {
    const findings = lintSource('CREATE TABLE a (id int);\n\nALTER TABLE users ADD COLUMN;\n');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'syntax', severity: 'error', line: 3 });
  });

  test('a psql meta-command is a syntax finding', () => {
    expect(lintSource('\\i other.sql\nSELECT 1;')[0]).toMatchObject({ rule: 'syntax', line: 1 });
  });

  test('an empty file is a finding', () => {
    expect(rulesOf('-- nothing\n')).toEqual(['1:empty-migration']);
  });
});

describe('suppression', () => {
  test('-- ddlgate-ignore with a reason silences the named rules on the next statement only', () => {
    const sql = ['-- ddlgate-ignore drop-column, truncate: column unused since v4', 'ALTER TABLE users DROP COLUMN legacy;', 'ALTER TABLE users DROP COLUMN other;'].join('\n');
    expect(rulesOf(sql)).toEqual(['1:unused-ignore', '3:drop-column']);
  });

  test('an ignore above a DO block covers the statements inside it', () => {
    const sql = '-- ddlgate-ignore drop-column: guarded by IF EXISTS, column unused\nDO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;';
    expect(lintSource(sql)).toEqual([]);
  });

  test('an ignore of a rule turned off in the config is not reported as unused', () => {
    const sql = '-- ddlgate-ignore prefer-jsonb: legacy API needs json\nCREATE TABLE t (j json);';
    expect(rulesOf(sql, { rules: { 'prefer-jsonb': 'off' } })).toEqual([]);
  });
});

describe('configuration', () => {
  test('rules can be turned off or change severity', () => {
    const sql = 'ALTER TABLE users DROP COLUMN legacy;\nCREATE TABLE t (j json);';
    expect(lintSource(sql, { rules: { 'drop-column': 'off' } }).map((f) => f.rule)).toEqual(['prefer-jsonb']);
    expect(lintSource(sql, { rules: { 'prefer-jsonb': 'error', 'drop-column': 'info' } }).map((f) => f.severity)).toEqual(['info', 'error']);
  });

  test('breaking changes are downgraded to warnings when allowed, and say so', () => {
    const [finding] = lintSource('DROP TABLE legacy;', { allowBreaking: true });
    expect(finding).toMatchObject({ rule: 'drop-table', severity: 'warning' });
    expect(finding!.message).toContain('allowed by ALLOW_BREAKING_MIGRATIONS');
  });

  test('non-breaking rules are not affected by allowBreaking', () => {
    expect(lintSource('CREATE INDEX i ON users (email);', { allowBreaking: true })[0]).toMatchObject({ severity: 'error' });
  });

  test('down migrations are not checked by breaking rules', () => {
    expect(lintSource('DROP TABLE orders;\nALTER TABLE users DROP COLUMN plan;', { down: true })).toEqual([]);
    expect(rulesOf('CREATE INDEX i ON users (email);', { down: true })).toEqual(['1:create-index-not-concurrently']);
  });
});

describe('scale', () => {
  test('a 10,000-statement file is linted without error', () => {
    const parts: string[] = [];
    for (let i = 0; i < 2500; i++) {
      parts.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, payload jsonb);`);
      parts.push(`CREATE INDEX t${i}_payload_idx ON t${i} USING gin (payload);`);
      parts.push(`INSERT INTO t${i} (id, payload) VALUES (${i}, '{"drop": "table"}');`);
      parts.push(`ALTER TABLE t${i} ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();`);
    }
    parts.push('CREATE INDEX users_email_idx ON users (email);');
    const findings = lintSource(`${parts.join('\n')}\n`);
    expect(findings.map((f) => `${f.line}:${f.rule}`)).toEqual(['10001:create-index-not-concurrently']);
  });
});
