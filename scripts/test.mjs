#!/usr/bin/env node
// `npm test`: compile src/ to lib/ (the CLI the tests spawn), then run every jest project:
// unit, and the integration suite on PostgreSQL 18 (embedded) and 15 (system). First it makes the real
// components the tests need available (scripts/test-components.mjs): it never skips a test.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureTestComponents } from './test-components.mjs';

const problem = ensureTestComponents();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (args, env = {}) =>
  spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

if (run([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']) !== 0) process.exit(1);
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const status = run([jest, '--maxWorkers=2', ...process.argv.slice(2)], {
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].filter(Boolean).join(' '),
});
process.exit(status);
