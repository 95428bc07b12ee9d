import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { query, REPO_ROOT, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

// Real pg_dump 15 needs a server ≤ 15: this file always uses the system PostgreSQL 15 (see ops-backup).
const db = useTestDatabase({ major: 15 });
const createDatabase = (prefix: string) => db.createDatabase(prefix);

const EXAMPLE = path.join(REPO_ROOT, 'migrations-example');
const cli = (url: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { DATABASE_URL: url, POSTGRES_URL: undefined, ...env } });

describe('schema-dump with real pg_dump', () => {
  it('is deterministic, lists applied versions, and --check catches a hand-made change with a diff', async () => {
    const url = await createDatabase('schema_dump');
    const dir = tempDir();
    try {
      expect((await cli(url, ['up', '--dir', EXAMPLE, '--to', '20260104090000'])).code).toBe(0);
      const first = path.join(dir, 'db', 'schema.sql');
      const second = path.join(dir, 'again.sql');
      const a = await cli(url, ['schema-dump', '--output', first]);
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      expect((await cli(url, ['schema-dump', '--output', second])).code).toBe(0);
      const text = readFileSync(first, 'utf8');
      expect(readFileSync(second, 'utf8')).toBe(text);
      expect(text).toContain('CREATE TABLE public.orders (');
      expect(text).toContain('CREATE INDEX orders_created_at_idx ON public.orders USING btree (created_at);');
      expect(text).not.toMatch(/Dumped (from|by)|\\restrict|\\unrestrict|OWNER TO|GRANT /);
      // The tracking schema is listed as versions, not dumped as tables.
      expect(text).not.toContain('migration_history');
      expect(text.trimEnd().split('\n').slice(-4)).toEqual(['-- 20260101090000 create_users', '-- 20260102090000 create_orders', '-- 20260103090000 add_users_display_name', '-- 20260104090000 index_orders_created_at']);

      const clean = await cli(url, ['schema-dump', '--output', first, '--check']);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/is up to date/);

      await query(url, 'ALTER TABLE users ADD COLUMN nickname text');
      const drift = await cli(url, ['schema-dump', '--output', first, '--check']);
      expect(drift.code).toBe(1);
      expect(drift.stdout).toMatch(/^--- .*schema\.sql \(committed\)\n\+\+\+ .*schema\.sql \(database\)\n@@ /);
      expect(drift.stdout).toMatch(/^\+    nickname text$/m);
      expect(drift.stdout).toMatch(/is out of date: run ddlgate schema-dump/);
      expect(readFileSync(first, 'utf8')).toBe(text);

      // Applying a migration without refreshing the file is drift too (the version list changed).
      await query(url, 'ALTER TABLE users DROP COLUMN nickname');
      expect((await cli(url, ['up', '--dir', EXAMPLE])).code).toBe(0);
      const json = JSON.parse((await cli(url, ['schema-dump', '--output', first, '--check', '--format', 'json'])).stdout);
      expect(json.upToDate).toBe(false);
      expect(json.diff).toContain('+-- 20260105090000 orders_status_check');

      const missing = await cli(url, ['schema-dump', '--output', path.join(dir, 'none.sql'), '--check']);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/none\.sql does not exist/);
    } finally {
      removeDir(dir);
    }
  });

  it('fails when pg_dump fails, writing nothing', async () => {
    const url = await createDatabase('schema_dump_fail');
    const dir = tempDir();
    try {
      // A pg_dump that passes the version check and then fails, as a real one does on a permission error.
      const fake = path.join(dir, 'bin', 'pg_dump');
      mkdirSync(path.dirname(fake), { recursive: true });
      writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi\necho "pg_dump: error: query failed: ERROR:  permission denied for table secrets" >&2\nexit 1\n');
      chmodSync(fake, 0o755);
      const out = path.join(dir, 'schema.sql');
      const result = await cli(url, ['schema-dump', '--output', out], { DDLGATE_PG_BIN: path.dirname(fake) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('ddlgate: pg_dump failed: pg_dump: error: query failed: ERROR:  permission denied for table secrets\n');
      expect(existsSync(out)).toBe(false);
    } finally {
      removeDir(dir);
    }
  });
});
