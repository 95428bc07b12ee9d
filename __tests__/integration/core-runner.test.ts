import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogFingerprint, REPO_ROOT, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const EXAMPLE = path.join(REPO_ROOT, 'migrations-example');

function copyExample(): string {
  const dir = tempDir();
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

describe('core runner on real PostgreSQL', () => {
  it('applies, reports and rolls back migrations-example round trip', async () => {
    const url = await db.createDatabase('roundtrip');
    const up = await cli(url, EXAMPLE, 'up');
    expect(up.stderr).not.toMatch(/error/i);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('Applied 6 migration(s) in batch 1');

    const status = await cli(url, EXAMPLE, 'status', '--format', 'json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.migrations).toHaveLength(6);
    expect(Object.keys(parsed.migrations[0])).toEqual(['version', 'name', 'state', 'appliedAt', 'checksum']);
    expect(parsed.migrations.every((m: any) => m.state === 'applied' && m.appliedAt)).toBe(true);

    const tables = await db.query(url, `SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relname IN ('users','orders','orders_created_at_idx')`);
    expect(tables[0].t).toBe('orders,orders_created_at_idx,users');
    const rows = await db.query(url, 'SELECT version, applied_by, batch, statements_done FROM ddlgate.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.batch)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(rows[0].applied_by).toBeTruthy();

    const down = await cli(url, EXAMPLE, 'down', '--steps', '3');
    expect(down.code).toBe(0);
    const after = JSON.parse((await cli(url, EXAMPLE, 'status', '--format', 'json')).stdout);
    expect(after.migrations.map((m: any) => m.state)).toEqual(['applied', 'applied', 'applied', 'pending', 'pending', 'pending']);
    expect(await db.query(url, `SELECT 1 FROM pg_class WHERE relname = 'orders_created_at_idx'`)).toHaveLength(0);

    expect((await cli(url, EXAMPLE, 'up', '--to', '20260104090000')).code).toBe(0);
    const partial = JSON.parse((await cli(url, EXAMPLE, 'status', '--format', 'json')).stdout);
    expect(partial.migrations.map((m: any) => m.state)).toEqual(['applied', 'applied', 'applied', 'applied', 'pending', 'pending']);

    expect((await cli(url, EXAMPLE, 'down', '--to', '20260101090000')).code).toBe(0);
    const history = await db.query(url, `SELECT action, count(*)::int AS n FROM ddlgate.migration_history GROUP BY action ORDER BY action`);
    expect(history).toEqual([
      { action: 'apply', n: 7 },
      { action: 'rollback', n: 6 },
    ]);
    const text = await cli(url, EXAMPLE, 'status');
    expect(text.stdout).toMatch(/20260101090000\s+create_users\s+applied/);
    expect(text.stdout).toMatch(/1 applied, 5 pending/);
  });

  it('leaves earlier migrations applied and nothing of a failing one', async () => {
    const url = await db.createDatabase('failing');
    const dir = tempDir({
      '1_first.up.sql': 'CREATE TABLE first (id int);',
      '2_broken.up.sql': 'CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\n\nINSERT INTO missing_table VALUES (1);',
      '3_third.up.sql': 'CREATE TABLE third (id int);',
    });
    try {
      const result = await cli(url, dir, 'up');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/migration 2_broken failed: .*2_broken\.up\.sql:4: relation "missing_table" does not exist/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const tables = await db.query(url, `SELECT relname FROM pg_class WHERE relname IN ('first', 'half', 'third') ORDER BY relname`);
      expect(tables.map((t) => t.relname)).toEqual(['first']);
      const history = await db.query(url, `SELECT version, status, error_message FROM ddlgate.migration_history ORDER BY id`);
      expect(history.map((h) => [h.version, h.status])).toEqual([
        ['1', 'success'],
        ['2', 'failed'],
      ]);
      expect(history[1].error_message).toMatch(/2_broken\.up\.sql:4/);
      const status = JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout);
      expect(status.migrations.map((m: any) => m.state)).toEqual(['applied', 'failed', 'pending']);
      // Fixing the file lets the next run continue with no manual step.
      writeFileSync(path.join(dir, '2_broken.up.sql'), 'CREATE TABLE half (id int);');
      expect((await cli(url, dir, 'up')).code).toBe(0);
      expect(JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout).migrations.every((m: any) => m.state === 'applied')).toBe(true);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses to run when an applied file was modified, naming it; a CRLF copy is not a modification', async () => {
    const url = await db.createDatabase('tamper');
    const dir = copyExample();
    try {
      expect((await cli(url, dir, 'up', '--to', '20260102090000')).code).toBe(0);
      const usersFile = path.join(dir, '20260101090000_create_users.up.sql');
      const original = readFileSync(usersFile, 'utf8');
      writeFileSync(usersFile, '\uFEFF' + original.replace(/\n/g, '\r\n'));
      const crlf = await cli(url, dir, 'up');
      expect(crlf.code).toBe(0);
      const statusAfterCrlf = JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout);
      expect(statusAfterCrlf.migrations[0].state).toBe('applied');

      const before = await catalogFingerprint(url);
      writeFileSync(path.join(dir, '20260102090000_create_orders.up.sql'), original + '\nSELECT 1;\n');
      writeFileSync(path.join(dir, '20260107090000_new.up.sql'), 'CREATE TABLE extra (id int);');
      const tampered = await cli(url, dir, 'up');
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toMatch(/20260102090000_create_orders\.up\.sql: modified after it was applied/);
      expect(await catalogFingerprint(url)).toBe(before);
      const status = JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout);
      expect(status.migrations[1].state).toBe('modified');
    } finally {
      removeDir(dir);
    }
  });

  it('reports an applied migration whose file is gone, and refuses out-of-order pending files', async () => {
    const url = await db.createDatabase('missing');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '3_c.up.sql': 'CREATE TABLE c (id int);' });
    try {
      expect((await cli(url, dir, 'up')).code).toBe(0);
      writeFileSync(path.join(dir, '2_b.up.sql'), 'CREATE TABLE b (id int);');
      const outOfOrder = await cli(url, dir, 'up');
      expect(outOfOrder.code).toBe(1);
      expect(outOfOrder.stderr).toMatch(/2_b\.up\.sql: pending but older than the newest applied migration 3/);
      expect((await cli(url, dir, 'up', '--allow-out-of-order')).code).toBe(0);
      removeDir(path.join(dir, '1_a.up.sql'));
      const status = JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout);
      expect(status.migrations.find((m: any) => m.version === '1').state).toBe('missing');
      const up = await cli(url, dir, 'up');
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(/1_a is recorded as applied but its file is missing/);
    } finally {
      removeDir(dir);
    }
  });

  it('applies each migration exactly once when two runners start together', async () => {
    const url = await db.createDatabase('concurrent');
    const files: Record<string, string> = {};
    for (let i = 1; i <= 6; i++) files[`${i}_m${i}.up.sql`] = `CREATE TABLE t${i} (id int);\nSELECT pg_sleep(0.05);`;
    const dir = tempDir(files);
    try {
      const [a, b] = await Promise.all([cli(url, dir, 'up'), cli(url, dir, 'up')]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const outputs = [a.stdout, b.stdout].sort();
      expect(outputs[0]).toContain('Applied 6 migration(s)');
      expect(outputs[1]).toContain('Nothing to apply');
      const history = await db.query(url, `SELECT version, count(*)::int AS n FROM ddlgate.migration_history WHERE action = 'apply' GROUP BY version`);
      expect(history).toHaveLength(6);
      expect(history.every((h) => h.n === 1)).toBe(true);
    } finally {
      removeDir(dir);
    }
  });

  it('resumes a non-transactional migration after a failed concurrent index build, leaving no INVALID index', async () => {
    const url = await db.createDatabase('resume');
    const dir = tempDir({
      '1_accounts.up.sql': "CREATE TABLE accounts (id int, email text, code text);\nINSERT INTO accounts VALUES (1, 'a@x', 'A'), (2, 'b@x', 'A');",
      '2_indexes.up.sql': 'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\nCREATE UNIQUE INDEX CONCURRENTLY accounts_code_key ON accounts (code);',
    });
    try {
      const failed = await cli(url, dir, 'up');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/2_indexes\.up\.sql:2: could not create unique index "accounts_code_key"/);
      const invalid = await db.query(url, `SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`);
      expect(invalid).toEqual([]);
      const progress = await db.query(url, `SELECT status, statements_done FROM ddlgate.schema_migrations WHERE version = '2'`);
      expect(progress).toEqual([{ status: 'failed', statements_done: 1 }]);
      const status = JSON.parse((await cli(url, dir, 'status', '--format', 'json')).stdout);
      expect(status.migrations[1].state).toBe('failed');

      await db.query(url, `UPDATE accounts SET code = 'B' WHERE id = 2`);
      const resumed = await cli(url, dir, 'up');
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(/resuming after statement 1 of 2/);
      const indexes = await db.query(url, `SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'accounts_%' ORDER BY 1`);
      expect(indexes).toEqual([
        { relname: 'accounts_code_key', indisvalid: true },
        { relname: 'accounts_email_idx', indisvalid: true },
      ]);
      const row = await db.query(url, `SELECT status, statements_done FROM ddlgate.schema_migrations WHERE version = '2'`);
      expect(row).toEqual([{ status: 'applied', statements_done: 2 }]);
    } finally {
      removeDir(dir);
    }
  });

  it('--single-transaction applies all or nothing; down --batch rolls back exactly the last batch', async () => {
    const url = await db.createDatabase('batches');
    const dir = tempDir({
      '1_a.up.sql': 'CREATE TABLE a (id int);',
      '1_a.down.sql': 'DROP TABLE a;',
      '2_b.up.sql': 'CREATE TABLE b (id int);',
      '2_b.down.sql': 'DROP TABLE b;',
      '3_c.up.sql': 'CREATE TABLE c (id int);\nSELECT 1/0;',
      '3_c.down.sql': 'DROP TABLE c;',
    });
    try {
      expect((await cli(url, dir, 'up', '--to', '1')).code).toBe(0);
      const all = await cli(url, dir, 'up', '--single-transaction');
      expect(all.code).toBe(1);
      expect(all.stderr).toMatch(/3_c\.up\.sql:2: division by zero/);
      // 2_b succeeded inside the same transaction, so it was rolled back with 3_c.
      expect((await db.query(url, `SELECT relname FROM pg_class WHERE relname IN ('a', 'b', 'c') ORDER BY 1`)).map((r) => r.relname)).toEqual(['a']);
      writeFileSync(path.join(dir, '3_c.up.sql'), 'CREATE TABLE c (id int);');
      expect((await cli(url, dir, 'up', '--single-transaction')).code).toBe(0);
      expect((await db.query(url, 'SELECT version, batch FROM ddlgate.schema_migrations ORDER BY version'))).toEqual([
        { version: '1', batch: 1 },
        { version: '2', batch: 2 },
        { version: '3', batch: 2 },
      ]);
      const down = await cli(url, dir, 'down', '--batch');
      expect(down.code).toBe(0);
      expect(down.stdout).toContain('Rolled back 2 migration(s): 3_c, 2_b.');
      expect((await db.query(url, `SELECT relname FROM pg_class WHERE relname IN ('a', 'b', 'c') ORDER BY 1`)).map((r) => r.relname)).toEqual(['a']);
    } finally {
      removeDir(dir);
    }
  });

  it('dry-run leaves the catalog unchanged and writes no tracking rows', async () => {
    const url = await db.createDatabase('dryrun');
    const dir = copyExample();
    try {
      expect((await cli(url, dir, 'up', '--to', '20260101090000')).code).toBe(0);
      const before = await catalogFingerprint(url);
      const trackingBefore = await db.query(url, 'SELECT * FROM ddlgate.schema_migrations ORDER BY version');
      const result = await cli(url, dir, 'dry-run', '--format', 'json');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.ok).toBe(true);
      expect(report.migrations.map((m: any) => m.version)).toEqual(['20260102090000', '20260103090000', '20260104090000', '20260105090000', '20260106090000']);
      const statement = report.migrations[0].statements[0];
      expect(statement).toEqual(expect.objectContaining({ line: 2, locks: expect.any(Array), rewrites: expect.any(Array), durationMs: expect.any(Number) }));
      expect(report.migrations[2].statements[0].note).toMatch(/without CONCURRENTLY/);
      expect(await catalogFingerprint(url)).toBe(before);
      expect(await db.query(url, 'SELECT * FROM ddlgate.schema_migrations ORDER BY version')).toEqual(trackingBefore);
      const audit = await db.query(url, `SELECT action, status FROM ddlgate.migration_history WHERE action = 'dry-run'`);
      expect(audit).toEqual([{ action: 'dry-run', status: 'success' }]);
    } finally {
      removeDir(dir);
    }
  });

  it('dry-run on a fresh database reports every failing migration and creates nothing, not even the tracking schema', async () => {
    const url = await db.createDatabase('dryfresh');
    const dir = tempDir({
      '1_ok.up.sql': 'CREATE TABLE ok (id int);',
      '2_bad.up.sql': 'ALTER TABLE nope ADD COLUMN x int;',
      '3_ok.up.sql': 'CREATE TABLE ok3 (id int REFERENCES ok (id));',
      '4_bad.up.sql': 'SELECT 1/0;',
    });
    try {
      const before = await catalogFingerprint(url);
      const result = await cli(url, dir, 'dry-run', '--format', 'json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.migrations.map((m: any) => m.ok)).toEqual([true, false, false, false]);
      expect(report.migrations[1].error).toMatch(/2_bad\.up\.sql:1: relation "nope" does not exist/);
      expect(report.migrations[3].error).toMatch(/division by zero/);
      expect(await catalogFingerprint(url)).toBe(before);
    } finally {
      removeDir(dir);
    }
  });
});

describe('CLI contract', () => {
  const commands = ['lint', 'dry-run', 'up', 'down', 'status', 'verify', 'seed', 'schema-dump', 'backup', 'restore', 'baseline', 'repair', 'new', 'format', 'adopt', 'serve'];

  it('prints help for the program and for every registered command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const registered = commands.filter((name) => new RegExp(`^\\s+${name}\\b`, 'm').test(top.stdout));
    expect(registered).toEqual(expect.arrayContaining(['dry-run', 'up', 'down', 'status']));
    for (const name of registered) {
      const help = await runCli([name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: ddlgate ${name}`);
    }
  });

  it('exits 2 on bad usage and bad input, 1 on failed operations, never with a stack trace or password', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    const badOption = await runCli(['status', '--bogus']);
    expect(badOption.code).toBe(2);
    const malformed = await runCli(['status', '--dir', 'migrations-example', '--database-url', 'not a url']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^ddlgate: database URL is malformed/);
    const noUrl = await runCli(['up', '--dir', 'migrations-example'], { env: { DATABASE_URL: undefined, POSTGRES_URL: undefined } });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/no database: pass --database-url/);
    const unreachable = await runCli(['status', '--dir', 'migrations-example', '--database-url', 'postgres://u:S3cretMarker@127.0.0.1:1/db']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1\/db: connection refused/);
    for (const result of [malformed, unreachable]) {
      expect(result.stderr + result.stdout).not.toContain('S3cretMarker');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const dir = tempDir({ '1_bad.up.sql': 'CREATE TABLE ok (id int);\nCREAT TABLE nope ();' });
    try {
      const url = await db.createDatabase('badinput');
      const syntax = await runCli(['up', '--dir', dir], { env: { DATABASE_URL: url } });
      expect(syntax.code).toBe(2);
      expect(syntax.stderr).toMatch(/1_bad\.up\.sql:2:1: syntax error at or near "CREAT"/);
      expect(await db.query(url, `SELECT 1 FROM pg_class WHERE relname = 'ok'`)).toHaveLength(0);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses a rollback without a down file before changing anything', async () => {
    const url = await db.createDatabase('nodown');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;', '2_b.up.sql': 'CREATE TABLE b (id int);' });
    try {
      expect((await cli(url, dir, 'up')).code).toBe(0);
      const down = await cli(url, dir, 'down', '--steps', '2');
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/cannot roll back 2_b: .*2_b\.up\.sql has no down file/);
      expect(await db.query(url, `SELECT relname FROM pg_class WHERE relname IN ('a','b') ORDER BY 1`)).toEqual([{ relname: 'a' }, { relname: 'b' }]);
    } finally {
      removeDir(dir);
    }
  });
});
