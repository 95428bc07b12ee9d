import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { catalogFingerprint, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

// At least 500 generated bad inputs. Each must give exit code 2, one readable line naming the file
// (and line where there is one), no stack trace, and leave the database exactly as it was.
const db = useTestDatabase();

interface Case {
  name: string;
  files?: Record<string, string | Buffer>;
  args?: string[];
  config?: string;
  /** What the one error line must contain (file name, line). */
  expect: RegExp;
}

const OK = 'CREATE TABLE must_not_exist (id int);';
const SEED = 'CREATE TABLE seeded (id int);';

function nameCases(): Case[] {
  const bad = [
    'abc.sql', '1.sql', '1_.up.sql', '_x.up.sql', '1-x.up.sql', 'v1_x.up.sql', '1_x.sideways.sql', '1 x.up.sql', '1_x .up.sql',
    '１_x.up.sql', '1_x.up.sql.sql', 'x_1.up.sql', '1_x.upp.sql', '1_x.dwn.sql', '1__.up.sql', '1_-x.up.sql', '1_x.up.SQL.sql', 'up.sql',
    '.up.sql', '1_x.Up.sql', '1_x.DOWN.sql', '1.5_x.up.sql', '-1_x.up.sql', '0x1_x.up.sql', '1e3_x.up.sql', '1_x.up.down.sql', '1_x..up.sql',
  ];
  const cases: Case[] = [];
  for (const file of bad) {
    for (const variant of ['', 'a', 'b', 'c', 'd']) {
      const name = variant ? file.replace(/\.sql$/i, '') + variant + '.sql' : file;
      if (/^\d+_[A-Za-z0-9][A-Za-z0-9_.-]*?\.(up|down)\.sql$/.test(name)) continue; // a variant that happens to be valid
      cases.push({ name: `file name ${name}`, files: { '0001_ok.up.sql': OK, [name]: 'SELECT 1;' }, expect: new RegExp(escape(name)) });
    }
  }
  return cases;
}

function duplicateCases(): Case[] {
  const cases: Case[] = [];
  for (let i = 2; i <= 51; i++) {
    const a = `${String(i).padStart(i % 3 === 0 ? 4 : 2, '0')}_first.up.sql`;
    const b = `${String(i).padStart(i % 2 === 0 ? 3 : 1, '0')}_second.up.sql`;
    const files = { '0001_ok.up.sql': OK, [a]: 'SELECT 1;', [b]: 'SELECT 2;' };
    cases.push({ name: `duplicate version ${a} / ${b}`, files, expect: /duplicate migration version .*(first|second)\.up\.sql/ });
  }
  return cases;
}

function contentCases(): Case[] {
  const contents: Array<[string, string | Buffer, RegExp]> = [];
  for (const empty of ['', ' ', '\n\n', '\t\r\n', '-- only a comment\n', '/* block */', '-- a\n-- b\n/* c */\n', ';', ';;\n;', '\uFEFF']) {
    contents.push([`empty ${JSON.stringify(empty)}`, empty, /no SQL statements/]);
  }
  for (let i = 0; i < 20; i++) contents.push([`comment-only ${i}`, `-- migration ${i}\n${'-- more\n'.repeat(i)}/* nothing ${i} */\n`, /no SQL statements/]);
  const invalidUtf8 = [[0xff], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xfe], [0x80]];
  invalidUtf8.forEach((bytes, i) => {
    for (const line of [1, 2, 5]) {
      const before = 'SELECT 1;\n'.repeat(line - 1);
      contents.push([`invalid utf-8 ${i} line ${line}`, Buffer.concat([Buffer.from(`${before}SELECT '`), Buffer.from(bytes), Buffer.from("';\n")]), new RegExp(`:${line}: invalid UTF-8`)]);
    }
  });
  for (let i = 0; i < 20; i++) {
    const binary = Buffer.alloc(64 + i, 0);
    binary.write('PK', 0);
    contents.push([`binary ${i}`, binary, /binary content/]);
  }
  const unterminated: Array<[string, number]> = [
    ['DO $$ BEGIN PERFORM 1;', 1], ['SELECT 1;\nDO $x$ BEGIN END $y$;', 2], ["SELECT 'abc", 1], ["SELECT 1;\n\nSELECT 'it''s", 3],
    ['SELECT "ident', 1], ['SELECT 1 /* never closed', 1], ["CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1", 1],
    ["SELECT E'\\", 1], ['SELECT $tag$ body', 1], ["SELECT 1;\nSELECT 2;\nSELECT 3;\nSELECT 'x", 4],
  ];
  unterminated.forEach(([sql, line], i) => {
    for (const prefix of ['', '-- header\n', '-- a\n-- b\n', '\n\n\n', '-- é 🎉 multibyte\n', 'SELECT 0;\n']) {
      const extra = prefix.split('\n').length - 1;
      contents.push([`unterminated ${i} after ${JSON.stringify(prefix)}`, prefix + sql, new RegExp(`:${line + extra}:\\d+: (unterminated|syntax error)`)]);
    }
  });
  const meta = ['\\i other.sql', '\\set x 1', '\\connect db', '\\c db', '\\copy t from stdin', '\\echo hi', '\\gexec', '\\ir x.sql', '\\timing on', '\\unset x'];
  meta.forEach((command, i) => {
    for (const line of [1, 2, 4, 7]) {
      contents.push([`meta ${i} line ${line}`, 'SELECT 1;\n'.repeat(line - 1) + command + '\n', new RegExp(`:${line}:1: psql meta-command \\\\`)]);
    }
  });
  const transactionControl: Array<[string, RegExp]> = [
    ['BEGIN;\nCREATE TABLE t (id int);', /:1:1: BEGIN here would break/],
    ['CREATE TABLE t (id int);\nCOMMIT;', /:2:1: COMMIT here would break/],
    ['START TRANSACTION;\nCREATE TABLE t (id int);', /:1:1: START here would break/],
    ['CREATE TABLE t (id int);\nROLLBACK;\nSELECT 1;', /:2:1: ROLLBACK here would break/],
    ['BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;', /:1:1: CREATE INDEX CONCURRENTLY \(line 2\) cannot run inside BEGIN/],
    ['SELECT 1;\nEND;', /:2:1: END here would break/],
    ['BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;', /DROP INDEX CONCURRENTLY \(line 2\) cannot run inside BEGIN/],
  ];
  transactionControl.forEach(([sql, expected], i) => {
    const shifted = new RegExp(expected.source.replace(/:(\d+):1:/, (_m, n) => `:${Number(n) + 1}:1:`).replace(/\\\(line (\d+)\\\)/, (_m, n) => `\\(line ${Number(n) + 1}\\)`));
    for (const prefix of ['', '-- m\n']) contents.push([`transaction control ${i}${prefix ? ' with header' : ''}`, prefix + sql, prefix ? shifted : expected]);
  });
  const garbage = ['CREAT TABLE t ();', 'SELECT FROM WHERE;', 'ALTER TABLE;', 'CREATE TABLE t (id int,);', 'INSERT INTO t VALUES (1,;', 'DROP;', 'UPDATE SET x = 1;', 'SELECT 1 1;', 'CREATE INDEX ON;', 'GRANT;'];
  garbage.forEach((sql, i) => {
    for (const line of [1, 3]) contents.push([`syntax ${i} line ${line}`, 'SELECT 1;\n'.repeat(line - 1) + sql, new RegExp(`:${line}:\\d+: syntax error`)]);
  });
  return contents.map(([name, content, expected]) => ({
    name,
    files: { '0001_ok.up.sql': OK, '0002_bad.up.sql': content },
    expect: new RegExp(`0002_bad\\.up\\.sql${expected.source.startsWith(':') ? '' : '.*'}${expected.source}`),
  }));
}

function configCases(): Case[] {
  const configs: Array<[string, RegExp]> = [
    ['{', /ddlgate\.json:1: invalid JSON/],
    ['{"migrationsDir": 5}', /"migrationsDir" must be a non-empty string/],
    ['{"lockTimeout": "soon"}', /"lockTimeout" must be a duration/],
    ['{"lockTimeout": true}', /"lockTimeout" must be a duration/],
    ['{"statementTimeout": []}', /"statementTimeout" must be a duration/],
    ['{"pgVersion": "15"}', /"pgVersion" must be a PostgreSQL major/],
    ['{"pgVersion": 9}', /"pgVersion" must be a PostgreSQL major/],
    ['{"rules": []}', /"rules" must be an object/],
    ['{"rules": {"x": "loud"}}', /"rules" must be "off", "error", "warning" or "info" for rule "x"/],
    ['{"exclude": "a"}', /"exclude" must be a list of strings/],
    ['{"allowBreaking": "yes"}', /"allowBreaking" must be true or false/],
    ['{"lockRetries": -1}', /"lockRetries" must be a whole number/],
    ['[]', /must be a JSON object/],
    ['null', /must be a JSON object/],
    ['"text"', /must be a JSON object/],
  ];
  const cases: Case[] = configs.map(([config, expected]) => ({ name: `config ${config}`, config, files: { '0001_ok.up.sql': OK }, expect: expected }));
  for (const key of ['migrationDir', 'lock_timeout', 'Schema', 'rule', 'pg_version', 'environment', 'dir', 'databaseUrl', 'timeouts', 'extends', 'plugins', 'ignore', 'severity', 'version', 'allow_breaking']) {
    for (const value of ['1', '"x"', 'true']) cases.push({ name: `unknown key ${key}=${value}`, config: `{"${key}": ${value}}`, files: { '0001_ok.up.sql': OK }, expect: new RegExp(`unknown key "${key}"`) });
  }
  return cases;
}

function urlCases(): Case[] {
  const urls = ['not a url', 'http://host/db', 'mysql://u:p@h/db', 'postgres//u@h/db', '://x', 'postgres://u:p@h:port/db', 'postgres://u:p@h:99999999999/db', ' ', 'file:///tmp/db', 'redis://h'];
  const cases: Case[] = [];
  for (const url of urls) for (const command of ['up', 'down', 'status', 'dry-run']) cases.push({ name: `url ${JSON.stringify(url)} ${command}`, args: [command, '--database-url', url], files: { '0001_ok.up.sql': OK }, expect: /database URL/ });
  return cases;
}

function usageCases(): Case[] {
  const cases: Case[] = [];
  for (const command of ['frobnicate', 'upp', 'migrate', 'rollback', 'apply', 'stat', 'dryrun', 'lints']) cases.push({ name: `unknown command ${command}`, args: [command], expect: /unknown command/ });
  for (const command of ['up', 'down', 'status', 'dry-run']) {
    for (const option of ['--bogus', '--to-version=1', '--stepz', '-x', '--format=yaml', '--dir']) {
      cases.push({ name: `${command} ${option}`, args: [command, option], files: { '0001_ok.up.sql': OK }, expect: /error: (unknown option|option|argument)/ });
    }
  }
  for (const steps of ['0', '-1', 'two', '1.5']) cases.push({ name: `down --steps ${steps}`, args: ['down', '--steps', steps], files: { '0001_ok.up.sql': OK }, expect: /--steps|option/ });
  for (const timeout of ['soon', '5 parsecs', '-1s', '']) cases.push({ name: `up --lock-timeout ${timeout}`, args: ['up', '--lock-timeout', timeout], files: { '0001_ok.up.sql': OK }, expect: /--lock-timeout/ });
  return cases;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function runInProcess(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const savedEnv: Record<string, string | undefined> = {};
  const savedCwd = process.cwd();
  for (const [key, value] of Object.entries(env)) {
    savedEnv[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  process.chdir(cwd);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(savedCwd);
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = 0;
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const ALL: Case[] = [...nameCases(), ...duplicateCases(), ...contentCases(), ...configCases(), ...urlCases(), ...usageCases()];

describe('bad input', () => {
  it('generates at least 500 cases', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(500);
  });

  it('answers every bad input with exit 2 and one clear line, and changes nothing in the database', async () => {
    const url = await db.createDatabase('badinput');
    // The tracking tables exist (a database that ddlgate already manages), so "unchanged" covers them too.
    const seed = tempDir({ '0000_seed.up.sql': SEED });
    expect((await runCli(['up', '--dir', seed], { env: { DATABASE_URL: url } })).code).toBe(0);
    const before = await catalogFingerprint(url);
    const trackingBefore = JSON.stringify(await db.query(url, 'SELECT version, checksum, status FROM ddlgate.schema_migrations ORDER BY version'));
    const historyBefore = (await db.query(url, 'SELECT count(*)::int AS n FROM ddlgate.migration_history'))[0].n;
    const failures: string[] = [];
    const work = tempDir();
    try {
      for (const [index, testCase] of ALL.entries()) {
        const dir = path.join(work, `case${index}`);
        mkdirSync(path.join(dir, 'migrations'), { recursive: true });
        // Every case keeps the already-applied seed migration, so only the bad input itself can fail it.
        const files = { '0000_seed.up.sql': SEED, ...testCase.files };
        for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, 'migrations', name), content);
        if (testCase.config !== undefined) writeFileSync(path.join(dir, 'ddlgate.json'), testCase.config);
        const args = testCase.args ?? ['up'];
        const result = await runInProcess(args, dir, { DATABASE_URL: url, POSTGRES_URL: undefined, DDLGATE_DEBUG: undefined });
        const lines = result.stderr.trim().split('\n').filter((line) => line.trim() && !/^\(Did you mean/.test(line));
        const problems = [
          result.code !== 2 && `exit ${result.code}`,
          lines.length !== 1 && `${lines.length} error lines`,
          !testCase.expect.test(result.stderr) && `message does not match ${testCase.expect}`,
          /\n\s+at .*:\d+/.test(result.stderr) && 'stack trace',
        ].filter(Boolean);
        if (problems.length) failures.push(`${testCase.name}: ${problems.join(', ')} — ${JSON.stringify(result.stderr.slice(0, 300))}`);
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      removeDir(work);
      removeDir(seed);
    }
    expect(failures).toEqual([]);
    expect(await catalogFingerprint(url)).toBe(before);
    expect(JSON.stringify(await db.query(url, 'SELECT version, checksum, status FROM ddlgate.schema_migrations ORDER BY version'))).toBe(trackingBefore);
    expect((await db.query(url, 'SELECT count(*)::int AS n FROM ddlgate.migration_history'))[0].n).toBe(historyBefore);
  }, 240_000);

  it('rejects a 50 MB migration with a clear line before reading it into the parser', async () => {
    const dir = tempDir({ '0001_ok.up.sql': OK });
    try {
      const big = Buffer.alloc(50 * 1024 * 1024, 'SELECT 1;\n');
      writeFileSync(path.join(dir, '0002_huge.up.sql'), big);
      const url = await db.createDatabase('huge');
      const before = await catalogFingerprint(url);
      const result = await runCli(['up', '--dir', dir], { env: { DATABASE_URL: url } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/0002_huge\.up\.sql: 50\.0 MB is over the 16 MB limit/);
      expect(await catalogFingerprint(url)).toBe(before);
      expect(readdirSync(dir)).toHaveLength(2);
    } finally {
      removeDir(dir);
    }
  }, 60_000);
});
