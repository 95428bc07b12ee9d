// 1. Lint throughput: whole-process time of `ddlgate lint` vs squawk (npm squawk-cli) on a generated
// 10,000-statement migration and on migrations-example/. Goal: ddlgate ≤ 1.0× squawk.
//
// The verdict compares machine-readable output on both sides (ddlgate --format json, squawk --reporter json):
// squawk's default terminal renderer draws a source snippet per finding and grows much faster than its
// linting (tens of seconds on 10,000 statements), so the default-output pair would flatter ddlgate.
// The default-output pair is measured too, for context.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { largeMigration } from './lib/generate.mjs';
import { repeat, runTimed } from './lib/measure.mjs';
import { NODE, DDLGATE_BIN, ROOT } from './lib/paths.mjs';
import { profileNode } from './lib/profile.mjs';

const require = createRequire(import.meta.url);
const STATEMENTS = 10_000;

export function squawkPaths() {
  const shim = path.join(ROOT, 'node_modules', 'squawk-cli', 'js', 'bin', 'squawk');
  let native = null;
  try {
    native = require(path.join(ROOT, 'node_modules', 'squawk-cli', 'js', 'index.js')).getBinaryPath();
  } catch {
    native = null;
  }
  return { shim, native };
}

export async function ddlgateHasCommand(command) {
  const result = await runTimed(NODE, [DDLGATE_BIN, command, '--help'], { memory: false, cwd: ROOT });
  return result.code === 0;
}

/** Findings reported, from each tool's JSON, to show both did the work. */
function countFindings(tool, stdout) {
  try {
    const data = JSON.parse(stdout);
    if (tool === 'ddlgate') return data.files.reduce((n, f) => n + f.findings.length, 0);
    return Array.isArray(data) ? data.length : null;
  } catch {
    return null;
  }
}

export async function run({ workDir, runs, log }) {
  const rows = [];
  const notes = [];
  const context = [];
  const bigFile = path.join(workDir, 'lint', '0001_large.up.sql');
  mkdirSync(path.dirname(bigFile), { recursive: true });
  writeFileSync(bigFile, largeMigration(STATEMENTS));
  const exampleDir = path.join(ROOT, 'migrations-example');
  const exampleFiles = readdirSync(exampleDir).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(exampleDir, f));
  const { shim, native } = squawkPaths();
  const hasLint = await ddlgateHasCommand('lint');
  if (!hasLint) notes.push('`ddlgate lint` is not registered in the CLI yet: its rows are n/a; re-run `npm run bench` once it lands.');

  // Node start-up alone, and ddlgate start-up (modules + libpg-query wasm: main() loads the parser before
  // reading argv, so --version pays it), split the fixed cost from the per-statement cost.
  log('lint: start-up floors');
  const nodeBare = await repeat(runs, () => runTimed(NODE, ['-e', ''], { cwd: ROOT }), { label: 'node -e ""' });
  const ddlgateStart = await repeat(runs, () => runTimed(NODE, [DDLGATE_BIN, '--version'], { cwd: ROOT }), { label: 'ddlgate --version' });
  const breakdown = { nodeBare, ddlgateStart };

  const workloads = [
    { name: `${STATEMENTS.toLocaleString('en')}-statement migration`, ddlgateArgs: [bigFile], squawkArgs: [bigFile], defaultRuns: 1 },
    { name: `migrations-example/ (${exampleFiles.length} files)`, ddlgateArgs: [exampleDir], squawkArgs: exampleFiles, defaultRuns: runs },
  ];
  for (const w of workloads) {
    log(`lint: ${w.name} (JSON output)`);
    const squawk = await repeat(runs, () => runTimed(NODE, [shim, '--reporter', 'json', ...w.squawkArgs], { cwd: ROOT }), { okCodes: [0, 1], label: 'squawk' });
    const squawkNative = native ? await repeat(runs, () => runTimed(native, ['--reporter', 'json', ...w.squawkArgs], { cwd: ROOT }), { okCodes: [0, 1], label: 'squawk (native)' }) : null;
    let ddlgate = null;
    if (hasLint) {
      try {
        ddlgate = await repeat(runs, () => runTimed(NODE, [DDLGATE_BIN, 'lint', '--format', 'json', ...w.ddlgateArgs], { cwd: ROOT }), { okCodes: [0, 1], label: 'ddlgate lint' });
      } catch (e) {
        notes.push(`ddlgate lint on ${w.name} failed: ${e.message}`);
      }
    }
    const ratio = ddlgate ? ddlgate.medianMs / squawk.medianMs : null;
    rows.push({
      benchmark: `Lint: ${w.name}`,
      subject: 'ddlgate lint --format json',
      baseline: 'squawk --reporter json (npm squawk-cli)',
      subjectMs: ddlgate?.medianMs ?? null,
      baselineMs: squawk.medianMs,
      ratio,
      goal: '≤ 1.00×',
      met: ratio === null ? null : ratio <= 1.0,
      details: {
        ddlgate,
        squawk,
        squawkNative,
        nativeRatio: ddlgate && squawkNative ? ddlgate.medianMs / squawkNative.medianMs : null,
        ddlgateFindings: ddlgate ? countFindings('ddlgate', ddlgate.last.stdout) : null,
        squawkFindings: countFindings('squawk', squawk.last.stdout),
      },
    });

    // Default (human) output of each, for context; squawk's renderer is slow on big outputs, so the
    // large file runs once.
    log(`lint: ${w.name} (default output, ${w.defaultRuns} run${w.defaultRuns > 1 ? 's' : ''})`);
    const squawkText = await repeat(w.defaultRuns, () => runTimed(NODE, [shim, ...w.squawkArgs], { cwd: ROOT }), { okCodes: [0, 1], label: 'squawk' });
    const ddlgateText = hasLint ? await repeat(w.defaultRuns, () => runTimed(NODE, [DDLGATE_BIN, 'lint', ...w.ddlgateArgs], { cwd: ROOT }), { okCodes: [0, 1], label: 'ddlgate lint' }).catch(() => null) : null;
    context.push({ workload: w.name, ddlgate: ddlgateText, squawk: squawkText, ratio: ddlgateText ? ddlgateText.medianMs / squawkText.medianMs : null });
  }

  // One profiled run shows where the time goes (start-up, parse, rules).
  let profile = null;
  if (hasLint && rows[0]?.details?.ddlgate) {
    log('lint: CPU profile of ddlgate lint on the large migration');
    profile = await profileNode([DDLGATE_BIN, 'lint', '--format', 'json', bigFile]).catch(() => null);
  }
  return { rows, notes, breakdown, profile, context, statements: STATEMENTS };
}
