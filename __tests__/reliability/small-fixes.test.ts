import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir } from '../helpers/pg.js';

// Bad input found by the fault campaign: one line naming the file (and line), exit 2, before any
// connection (the URL points at a port nothing listens on, so any connection attempt would be exit 1).
const DEAD_URL = 'postgres://u:p@127.0.0.1:1/none';
const up = (dir: string) => runCli(['up', '--dir', dir], { env: { DATABASE_URL: DEAD_URL, POSTGRES_URL: undefined } });

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('small fixes', () => {
  it('a line starting with \\ inside a string literal is data: the real syntax error two lines later is reported', async () => {
    const dir = tempDir({ '1_a.up.sql': "INSERT INTO notes VALUES ('first line\n\\not a meta-command\nlast');\nSELEC 1;\n" });
    try {
      const result = await up(dir);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/1_a\.up\.sql:4:1: syntax error at or near "SELEC"/);
    } finally {
      removeDir(dir);
    }
  });

  it('a real psql meta-command at the start of a line is still named as one', async () => {
    const dir = tempDir({ '1_a.up.sql': 'SELECT 1;\n\\i other.sql\n' });
    try {
      const result = await up(dir);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/1_a\.up\.sql:2:1: psql meta-command \\i is not SQL/);
    } finally {
      removeDir(dir);
    }
  });

  it('a dangling symlink in the migrations directory: exit 2, one line naming it', async () => {
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
    symlinkSync(path.join(dir, 'missing-target.sql'), path.join(dir, '2_b.up.sql'));
    try {
      const result = await up(dir);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/2_b\.up\.sql: dangling symlink \(its target does not exist\)/);
    } finally {
      removeDir(dir);
    }
  });

  it('a symlink loop in the migrations directory: exit 2, one line naming it', async () => {
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
    symlinkSync(path.join(dir, '2_b.up.sql'), path.join(dir, '2_b.up.sql'));
    try {
      const result = await up(dir);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/2_b\.up\.sql: symlink loop/);
    } finally {
      removeDir(dir);
    }
  });
});
