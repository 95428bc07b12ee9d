import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const cli = (url: string, dir: string, ...args: string[]) => runCli([...args, '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined, INDEX_CONCURRENT: undefined } });
const invalidIndexes = (url: string) => db.query(url, `SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`);
const attempts = (url: string) => db.query(url, `SELECT version, index_name, attempt, status, error_message, duration_ms FROM ddlgate.index_build_history ORDER BY id`);

describe('concurrent index builds', () => {
  it('a build failing on duplicates leaves no INVALID index, is not retried in vain, and succeeds after the fix', async () => {
    const url = await db.createDatabase('index_dup');
    await db.query(url, `CREATE TABLE accounts (id int, email text); INSERT INTO accounts VALUES (1, 'a@x'), (2, 'a@x')`);
    const dir = tempDir({ '1_accounts_email.up.sql': 'CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email);' });
    try {
      const failed = await cli(url, dir, 'up');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/could not create unique index "accounts_email_key"/);
      expect(failed.stderr).toMatch(/dropping INVALID index public\.accounts_email_key/);
      expect(await invalidIndexes(url)).toEqual([]);
      // A duplicate key fails the same way every time: one attempt, no retries scanning the table again.
      const first = await attempts(url);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ version: '1', index_name: 'accounts_email_key', attempt: 1, status: 'failed' });
      expect(first[0].error_message).toMatch(/1_accounts_email\.up\.sql:1: could not create unique index/);

      await db.query(url, `UPDATE accounts SET email = 'b@x' WHERE id = 2`);
      const fixed = await cli(url, dir, 'up');
      expect(fixed.code).toBe(0);
      expect(await invalidIndexes(url)).toEqual([]);
      expect((await attempts(url)).map((a) => [a.attempt, a.status])).toEqual([
        [1, 'failed'],
        [2, 'success'],
      ]);
      expect(await db.query(url, `SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'accounts_email_key'::regclass`)).toEqual([{ indisvalid: true, indisunique: true }]);
    } finally {
      removeDir(dir);
    }
  });

  it('retries a build cancelled by someone else, after dropping its INVALID index, and records every attempt', async () => {
    const url = await db.createDatabase('index_retry');
    await db.query(url, `CREATE TABLE events (id int, kind text); INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 1000) g`);
    const dir = tempDir({ '1_events_kind.up.sql': 'CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);' });
    // An open writing transaction: the concurrent build waits for it, so there is time to cancel the build.
    const blocker = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await blocker.connect();
    await watcher.connect();
    try {
      await blocker.query(`BEGIN; INSERT INTO events VALUES (0, 'x')`);
      const run = cli(url, dir, 'up', '--lock-timeout', '30s');
      let cancelled = false;
      for (let i = 0; i < 300 && !cancelled; i++) {
        const rows = await watcher.query(`SELECT pg_cancel_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY events_kind_idx%' AND wait_event_type = 'Lock'`);
        cancelled = rows.rows.some((r) => r.ok);
        if (!cancelled) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(cancelled).toBe(true);
      await blocker.query('COMMIT');
      const result = await run;
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/index build of events_kind_idx failed \(57014\); INVALID index dropped, retry 1\/2/);
      const rows = await attempts(url);
      expect(rows.map((a) => [a.attempt, a.status])).toEqual([
        [1, 'failed'],
        [2, 'success'],
      ]);
      expect(rows[0].error_message).toMatch(/canceling statement due to user request/);
      expect(await invalidIndexes(url)).toEqual([]);
    } finally {
      await blocker.end().catch(() => {});
      await watcher.end().catch(() => {});
      removeDir(dir);
    }
  });

  it('ddlgate new --index writes a no-transaction migration that builds a partial index', async () => {
    const url = await db.createDatabase('index_new');
    await db.query(url, `CREATE TABLE "Users" (id int, tenant_id int, "order" int, deleted_at timestamptz)`);
    const dir = tempDir();
    try {
      const created = await cli(url, dir, 'new', 'active users by tenant', '--index', 'Users(tenant_id, order)', '--where', 'deleted_at IS NULL', '--concurrent');
      expect(created.code).toBe(0);
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(2);
      expect(files[1]).toMatch(/^\d{14}_active_users_by_tenant\.up\.sql$/);
      const up = readFileSync(path.join(dir, files[1]!), 'utf8');
      expect(up.split('\n')[0]).toBe('-- ddlgate:no-transaction');
      expect(up).toContain('CREATE INDEX CONCURRENTLY "users_tenant_id_order_partial_idx" ON "Users" ("tenant_id", "order") WHERE deleted_at IS NULL;');
      expect((await cli(url, dir, 'up')).code).toBe(0);
      expect(await db.query(url, `SELECT pg_get_indexdef('users_tenant_id_order_partial_idx'::regclass) AS def`)).toEqual([
        { def: 'CREATE INDEX users_tenant_id_order_partial_idx ON public."Users" USING btree (tenant_id, "order") WHERE (deleted_at IS NULL)' },
      ]);
      expect((await attempts(url)).map((a) => a.status)).toEqual(['success']);
      expect((await cli(url, dir, 'down')).code).toBe(0);
      expect(await db.query(url, `SELECT to_regclass('users_tenant_id_order_partial_idx') AS r`)).toEqual([{ r: null }]);
      const bad = await cli(url, dir, 'new', 'x', '--where', 'a = 1');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('ddlgate: --where needs --index table(columns)\n');
    } finally {
      removeDir(dir);
    }
  });
});
