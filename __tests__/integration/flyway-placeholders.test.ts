/**
 * Flyway placeholders through the CLI on real PostgreSQL: `--placeholder name=value` (repeatable) and
 * ddlgate.json's "placeholders" give values; a placeholder with none is exit 2, one line, nothing applied.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
let dir: string;

beforeAll(() => {
  dir = tempDir({
    'V1__schema.sql': 'CREATE SCHEMA ${appSchema};\n',
    'V1.1__table.sql': 'CREATE TABLE ${appSchema}.orders (id bigint PRIMARY KEY, owner text DEFAULT \'${owner}\');\n',
  });
});

afterAll(() => removeDir(dir));

async function schemas(url: string): Promise<string[]> {
  return (await db.query(url, `SELECT nspname FROM pg_namespace WHERE nspname IN ('shop', 'ddlgate', 'from_config') ORDER BY 1`)).map((row) => row.nspname);
}

test('a placeholder without a value: exit 2, one line naming file, line, placeholder and the ways to give it, nothing applied', async () => {
  const url = await db.createDatabase('ph_missing');
  const result = await runCli(['up', '--dir', dir, '--database-url', url, '--placeholder', 'appSchema=shop']);
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/V1\.1__table\.sql:1: no value for Flyway placeholder \$\{owner\} .*--placeholder owner=<value>.*ddlgate\.json.*action input placeholders.*FLYWAY_PLACEHOLDERS_OWNER.*flyway\.conf/);
  expect(await schemas(url)).toEqual([]);
});

test('--placeholder (repeatable) gives the values; it wins over ddlgate.json, which gives them too', async () => {
  const url = await db.createDatabase('ph_flag');
  const up = await runCli(['up', '--dir', dir, '--database-url', url, '--placeholder', 'appSchema=shop', '--placeholder', 'OWNER=alice']);
  expect(up.stderr).not.toMatch(/ddlgate: /);
  expect(up.code).toBe(0);
  expect(await schemas(url)).toEqual(['ddlgate', 'shop']);
  expect(await db.query(url, `SELECT column_default FROM information_schema.columns WHERE table_schema = 'shop' AND column_name = 'owner'`)).toEqual([{ column_default: "'alice'::text" }]);

  const configDir = tempDir();
  try {
    const config = path.join(configDir, 'ddlgate.json');
    writeFileSync(config, JSON.stringify({ placeholders: { appSchema: 'from_config', owner: 'bob' } }));
    const other = await db.createDatabase('ph_config');
    const fromConfig = await runCli(['up', '--dir', dir, '--database-url', other, '--config', config]);
    expect(fromConfig.code).toBe(0);
    expect(await schemas(other)).toEqual(['ddlgate', 'from_config']);
    const third = await db.createDatabase('ph_both');
    const both = await runCli(['up', '--dir', dir, '--database-url', third, '--config', config, '--placeholder', 'appSchema=shop']);
    expect(both.code).toBe(0);
    expect(await schemas(third)).toEqual(['ddlgate', 'shop']);
    expect(await db.query(third, `SELECT column_default FROM information_schema.columns WHERE table_schema = 'shop' AND column_name = 'owner'`)).toEqual([{ column_default: "'bob'::text" }]);
  } finally {
    removeDir(configDir);
  }
});

test('a malformed --placeholder is exit 2 naming the flag', async () => {
  const result = await runCli(['lint', '--dir', dir, '--placeholder', 'appSchema']);
  expect(result.code).toBe(2);
  expect(result.stderr.trim()).toBe('ddlgate: --placeholder: "appSchema" is not name=value (e.g. ohdsiSchema=webapi)');
});

test('lint --database-url and lint --fix read the directory with the same placeholder values as every other command', async () => {
  const url = await db.createDatabase('ph_lint');
  const values = ['--placeholder', 'appSchema=shop', '--placeholder', 'owner=alice'];
  expect((await runCli(['up', '--dir', dir, '--database-url', url, ...values])).code).toBe(0);
  const fixDir = tempDir({
    'V1__schema.sql': 'CREATE SCHEMA ${appSchema};\n',
    'V1.1__table.sql': 'CREATE TABLE ${appSchema}.orders (id bigint PRIMARY KEY, owner text DEFAULT \'${owner}\');\n',
    'V2__index.sql': 'CREATE INDEX orders_owner_idx ON ${appSchema}.orders (owner);\n',
  });
  try {
    const againstCatalog = await runCli(['lint', '--dir', fixDir, '--database-url', url, '--format', 'json', ...values]);
    expect(againstCatalog.stderr).toBe('');
    const findings = JSON.parse(againstCatalog.stdout).files.flatMap((file: { path: string; findings: Array<{ rule: string }> }) => file.findings.map((f) => `${path.basename(file.path)} ${f.rule}`));
    expect(findings).toContain('V2__index.sql create-index-not-concurrently');

    const fixed = await runCli(['lint', '--dir', fixDir, '--database-url', url, '--fix', '--format', 'json', ...values]);
    expect(fixed.stderr).toMatch(/fixed .*V2__index\.sql:1 create-index-not-concurrently/);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).summary.errors).toBe(0);
    expect(readFileSync(path.join(fixDir, 'V2__index.sql'), 'utf8')).toMatch(/CREATE INDEX CONCURRENTLY orders_owner_idx ON \$\{appSchema\}\.orders \(owner\);/);
  } finally {
    removeDir(fixDir);
  }
});
