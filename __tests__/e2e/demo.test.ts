// `npm run demo` is one of the two commands a new user runs: it must work on a fresh checkout with no
// set-up, show the blocking finding with its safe rewrite and the lock the dry-run saw, then apply and
// roll back the safe version. It always uses the embedded PostgreSQL 18, so it runs in the pg18 project only.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/pg.js';

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs')], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: '', POSTGRES_URL: '' } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('the demo blocks the risky migration, shows the lock, then applies and rolls back the safe rewrite', async () => {
  const { code, out } = await runDemo();
  expect(out).not.toMatch(/Demo stopped|unexpected error|    at /);
  expect(code).toBe(0);
  const risky = out.indexOf('2. A pull request');
  const safe = out.indexOf('3. The safe rewrite');
  expect(risky).toBeGreaterThan(0);
  expect(safe).toBeGreaterThan(risky);
  const riskyPart = out.slice(risky, safe);
  expect(riskyPart).toMatch(/error\s+check-without-not-valid/);
  expect(riskyPart).toMatch(/NOT VALID/); // the safe rewrite is named
  expect(riskyPart).toMatch(/AccessExclusiveLock on public\.orders/);
  expect(riskyPart).toMatch(/200,000 rows/);
  const safePart = out.slice(safe);
  expect(safePart).toMatch(/Applied 2 migration\(s\)/);
  expect(safePart).toMatch(/Rolled back 2 migration\(s\)/);
  expect(safePart).toMatch(/6 applied, 2 pending/);
  expect(out).toMatch(/Demo finished in [\d.]+ s/);
}, 120_000);
