import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileScript } from '../../src/migrations/script.js';
import { createMigration, migrationSlug, nextVersion } from '../../src/ops/new-migration.js';
import { loadParser } from '../../src/sql/parser.js';
import { removeDir, tempDir } from '../helpers/pg.js';

beforeAll(() => loadParser());

describe('ddlgate new', () => {
  const now = new Date('2026-03-04T05:06:07.890Z');

  it('slugs names and picks a version that sorts last', () => {
    expect(migrationSlug(' Add users: email index! ')).toBe('add_users_email_index');
    expect(() => migrationSlug('!!!')).toThrow(/empty migration name/);
    expect(nextVersion([], now)).toBe('20260304050607');
    expect(nextVersion(['20250101000000'], now)).toBe('20260304050607');
    expect(nextVersion(['20260304050607'], now)).toBe('20260304050608');
    expect(nextVersion(['0001', '0009'], now)).toBe('0010');
  });

  it('writes an up/down pair with a header, never overwriting', async () => {
    const dir = tempDir();
    try {
      const created = await createMigration({ dir: path.join(dir, 'migrations'), name: 'create users', now });
      expect(readdirSync(path.join(dir, 'migrations')).sort()).toEqual(['20260304050607_create_users.down.sql', '20260304050607_create_users.up.sql']);
      const up = readFileSync(created.upPath, 'utf8');
      expect(up).toMatch(/^-- 20260304050607_create_users\n--\n-- Purpose: .*\n-- Rollback: .*\n/);
      const again = await createMigration({ dir: path.join(dir, 'migrations'), name: 'create users', now });
      expect(again.version).toBe('20260304050608');
    } finally {
      removeDir(dir);
    }
  });

  it('writes a concurrent index migration outside a transaction', async () => {
    const dir = tempDir();
    try {
      const created = await createMigration({ dir, name: 'index active users', index: { table: 'users', columns: ['tenant_id', 'email'], where: 'deleted_at IS NULL', concurrent: true }, now });
      const up = compileScript(created.upPath, readFileSync(created.upPath, 'utf8'));
      expect(up.transactional).toBe(false);
      expect(up.directives).toContain('no-transaction');
      expect(up.statements.map((s) => s.sql)).toEqual(['CREATE INDEX CONCURRENTLY "users_tenant_id_email_partial_idx" ON "users" ("tenant_id", "email") WHERE deleted_at IS NULL']);
      const down = compileScript(created.downPath, readFileSync(created.downPath, 'utf8'));
      expect(down.statements[0]!.sql).toBe('DROP INDEX CONCURRENTLY IF EXISTS "users_tenant_id_email_partial_idx"');
      await expect(createMigration({ dir, name: 'bad', index: { table: 'users', columns: ['a'], where: 'a = = 1' }, now })).rejects.toThrow(/--index\/--where: syntax error/);
    } finally {
      removeDir(dir);
    }
  });
});
