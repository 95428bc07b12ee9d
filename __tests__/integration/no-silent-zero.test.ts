/**
 * "Never nothing to do by mistake": no command exits 0 having read zero migrations from a directory that
 * holds .sql files. Every CLI command that reads migrations, the HTTP endpoint (serve) and the action's
 * commands are swept over such directories on real PostgreSQL: each fails with one line naming the first
 * unrecognised file, and nothing is written to the database (no tracking schema).
 */
import path from 'node:path';
import { runAction, useFakeGitHub } from '../helpers/action-runner.js';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
let workspace: string;
const fake = useFakeGitHub();

/** Directories that hold .sql files none of which is a migration of the layout read, and the line each must give. */
const DIRS: Array<{ dir: string; layout?: string; error: RegExp }> = [
  { dir: 'plain', error: /plain\/schema\.sql: unrecognised migration file name; .*tried: native/ },
  { dir: 'nested', error: /nested: 1 \.sql file but no native migration .*first unrecognised file: .*tables\.sql/ },
  { dir: 'supabase-local', layout: 'supabase', error: /1 \.sql file but no supabase migration \(read as supabase \(--layout\)\); first unrecognised file: local_20240101120000_seed\.sql/ },
  { dir: 'prisma-empty', layout: 'prisma', error: /1 \.sql file but no prisma migration .*first unrecognised file: .*notes\.sql/ },
];

/** Every CLI command that reads a migrations directory (the database ones get a real database). */
const COMMANDS: string[][] = [
  ['lint'],
  ['status'],
  ['up'],
  ['dry-run'],
  ['down', '--steps', '1'],
  ['verify'],
  ['baseline', '--to', '1'],
  ['repair'],
  ['adopt', '--from', 'goose'],
  ['serve', '--port', '0'],
];

beforeAll(async () => {
  workspace = tempDir({
    'plain/schema.sql': 'CREATE TABLE a (id int);\n',
    'plain/seed.sql': 'INSERT INTO a VALUES (1);\n',
    'nested/schema/tables.sql': 'CREATE TABLE a (id int);\n',
    'supabase-local/local_20240101120000_seed.sql': 'SELECT 1;\n',
    'prisma-empty/migration_lock.toml': 'provider = "postgresql"\n',
    'prisma-empty/notes.sql': 'SELECT 1;\n',
  });
}, 60_000);

afterAll(async () => {
  if (workspace) removeDir(workspace);
});

async function trackingSchemas(url: string): Promise<number> {
  return (await db.query(url, `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'ddlgate'`))[0].n;
}

describe.each(DIRS)('$dir', ({ dir, layout, error }) => {
  test.each(COMMANDS.map((args) => [args[0]!, args]))('ddlgate %s: exit 2, one line naming the first file, nothing written', async (_name, args) => {
    const url = await db.createDatabase('zero');
    const result = await runCli([...args, '--dir', path.join(workspace, dir), ...(layout ? ['--layout', layout] : []), ...(args[0] === 'lint' ? [] : ['--database-url', url])], {
      env: { INTERNAL_ADMIN_TOKEN: 'a-token-long-enough-for-the-endpoint-0123456789', DDLGATE_ENV: 'preview' },
    });
    expect(result.code).toBe(2);
    // Notices about files the tool skips may come first; the failure is the last line, and the only ddlgate error.
    const lines = result.stderr.trim().split('\n').filter((line) => !/^ddlgate: ignored /.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(error);
    expect(result.stdout).not.toMatch(/\(0 migrations\)/);
    expect(await trackingSchemas(url)).toBe(0);
  });
});

test.each(['lint', 'dry-run', 'status', 'apply', 'verify'])('the action\'s %s fails the step on a folder of .sql files with no migration', async (command) => {
  const url = await db.createDatabase('zero_action');
  const result = await runAction(workspace, fake, { command, 'migrations-dir': 'plain', 'changed-only': 'false', ...(command === 'lint' ? {} : { 'database-url': url }) });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/::error::.*schema\.sql: unrecognised migration file name/);
  expect(await trackingSchemas(url)).toBe(0);
});
