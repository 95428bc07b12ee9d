#!/usr/bin/env node
// Lint throughput with the schema model (issue 15): the same 10,000 statements linted by the current lib/
// (schema model on: every statement updates the model, every migration of a directory is judged against
// the one before) and by the last build before the model existed (BASELINE_COMMIT, compiled into
// bench/tmp/). Goal: the model costs at most 20% (ratio ≤ 1.20). Timing is in-process, parser loaded
// first, median of --runs, so start-up does not dilute the difference.
// Both builds are timed in one process, interleaved, and the verdict is on CPU time (see timeBoth).
// Usage: node bench/schema-model.mjs [--runs N] [--json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
/** main just before the schema model landed (lint without knowledge of earlier migrations). */
export const BASELINE_COMMIT = '9b9594d';
export const STATEMENTS = 10_000;
export const GOAL = 1.2;

/** 10,000 statements in the shapes migrations have: tables, columns, indexes, constraints, backfills. */
export function generate(statements = STATEMENTS, files = 1) {
  const perFile = Math.ceil(statements / files);
  const out = [];
  let n = 0;
  for (let f = 0; f < files; f++) {
    const lines = [];
    for (let i = 0; i < perFile && n < statements; i++, n++) {
      const t = `t${Math.floor(n / 10)}`;
      switch (n % 10) {
        case 0: lines.push(`CREATE TABLE ${t} (id bigint PRIMARY KEY, name varchar(40), created_at timestamptz NOT NULL DEFAULT now());`); break;
        case 1: lines.push(`ALTER TABLE ${t} ADD COLUMN note text;`); break;
        case 2: lines.push(`CREATE INDEX ${t}_name_idx ON ${t} (name);`); break;
        case 3: lines.push(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_name_check CHECK (name <> '') NOT VALID;`); break;
        case 4: lines.push(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_name_check;`); break;
        case 5: lines.push(`ALTER TABLE users ALTER COLUMN c${n} TYPE varchar(${20 + (n % 7)});`); break;
        case 6: lines.push(`UPDATE ${t} SET note = 'x' WHERE id = ${n};`); break;
        case 7: lines.push(`ALTER TABLE ${t} ALTER COLUMN name SET NOT NULL;`); break;
        case 8: lines.push(`COMMENT ON TABLE ${t} IS 'table ${n}';`); break;
        default: lines.push(`CREATE INDEX users_c${n}_idx ON users (c${n});`);
      }
    }
    out.push(`${lines.join('\n')}\n`);
  }
  return out;
}

/** Compiles src/ of a commit into bench/tmp/ (inside the repository so node_modules resolve); returns its lib/. */
function buildBaseline(commit) {
  const dir = path.join(BENCH, 'tmp', `schema-base-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['-C', ROOT, 'archive', commit, 'src', 'tsconfig.build.json', 'tsconfig.json']);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.build.json'), '--outDir', path.join(dir, 'lib')], { cwd: dir, stdio: 'ignore' });
  } catch {
    // type errors against newer dependencies still emit JavaScript
  }
  return { dir, lib: path.join(dir, 'lib') };
}

/**
 * Times lintFiles of both builds in one child process, interleaved (A B, B A, A B …) so that load from other
 * work on the machine falls on both alike. Each run records wall time and the process's CPU time (user +
 * system, process.cpuUsage): on a shared machine wall time mostly measures the scheduler, CPU time the work.
 * A full GC runs before each timed run (the child is started with --expose-gc): without it, the garbage one
 * build left behind is collected during the other build's run, and the ratio swung from 1.02 to 1.34 between
 * identical runs. With it, each run pays for the garbage it makes itself.
 */
function timeBoth(libs, target, runs) {
  const script = `
    const load = async (lib) => {
      const { loadParser } = await import(lib + '/sql/parser.js');
      const { lintFiles } = await import(lib + '/lint/index.js');
      await loadParser();
      lintFiles([${JSON.stringify(target)}]); // warm-up
      return lintFiles;
    };
    const libs = ${JSON.stringify(libs)};
    const fns = [];
    for (const lib of libs) fns.push(await load(lib));
    const out = libs.map(() => ({ times: [], cpu: [], findings: 0 }));
    for (let i = 0; i < ${runs}; i++) {
      for (const k of i % 2 ? [1, 0] : [0, 1]) {
        globalThis.gc(); // start each run with an empty heap: the previous run's garbage is not this run's cost
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const result = fns[k]([${JSON.stringify(target)}]);
        out[k].times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        out[k].cpu.push((c.user + c.system) / 1000);
        out[k].findings = result.files.reduce((n, f) => n + f.findings.length, 0);
      }
    }
    console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString());
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureSchemaModel({ runs = 15, lib = path.join(ROOT, 'lib') } = {}) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-schema-bench-'));
  const baseline = buildBaseline(BASELINE_COMMIT);
  try {
    const single = path.join(work, 'single', '0001_large.up.sql');
    mkdirSync(path.dirname(single), { recursive: true });
    writeFileSync(single, generate()[0]);
    const dir = path.join(work, 'dir');
    mkdirSync(dir);
    generate(STATEMENTS, 100).forEach((text, i) => writeFileSync(path.join(dir, `${String(i + 1).padStart(4, '0')}_m.up.sql`), text));
    const rows = [];
    for (const [name, target] of [[`${STATEMENTS.toLocaleString('en')} statements, one migration`, single], [`${STATEMENTS.toLocaleString('en')} statements, 100 migrations of a directory`, dir]]) {
      const [before, after] = timeBoth([baseline.lib, lib], target, runs);
      // The verdict is on CPU time (the work itself); the wall-time ratio is reported beside it.
      const ratio = median(after.cpu) / median(before.cpu);
      const wallRatio = median(after.times) / median(before.times);
      rows.push({ workload: name, withoutModelMs: median(before.cpu), withModelMs: median(after.cpu), withoutModelWallMs: median(before.times), withModelWallMs: median(after.times), ratio, wallRatio, goal: `≤ ${GOAL.toFixed(2)}×`, met: ratio <= GOAL, findingsWithout: before.findings, findingsWith: after.findings });
    }
    return { baseline: BASELINE_COMMIT, runs, rows };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(baseline.dir, { recursive: true, force: true });
  }
}

/** Rows for bench/results.md (`npm run bench -- --only schema-model`); `lib` is the build run.mjs measures. */
export async function run({ runs, log = () => {}, lib }) {
  log(`schema-model: compiling ${BASELINE_COMMIT} (before the model), then timing both builds`);
  const result = await measureSchemaModel({ runs: Math.max(runs, 15), ...(lib ? { lib } : {}) });
  return {
    baseline: result.baseline,
    runs: result.runs,
    rows: result.rows.map((row) => ({
      benchmark: `Lint with the schema model: ${row.workload}`,
      subject: 'lintFiles, in-process (schema model on), CPU time',
      baseline: `lintFiles at ${BASELINE_COMMIT} (before the model), CPU time`,
      subjectMs: row.withModelMs,
      baselineMs: row.withoutModelMs,
      ratio: row.ratio,
      goal: row.goal,
      met: row.met,
      details: { findingsWithout: row.findingsWithout, findingsWith: row.findingsWith, wallWithoutMs: row.withoutModelWallMs, wallWithMs: row.withModelWallMs, wallRatio: row.wallRatio },
    })),
    notes: result.rows.map((row) => `Schema model, ${row.workload}: median CPU time ${row.withModelMs.toFixed(0)} ms with the model vs ${row.withoutModelMs.toFixed(0)} ms at ${BASELINE_COMMIT} (${row.ratio.toFixed(2)}×); median wall time ${row.withModelWallMs.toFixed(0)} vs ${row.withoutModelWallMs.toFixed(0)} ms (${row.wallRatio.toFixed(2)}×); ${result.runs} interleaved runs each, a full GC before each run, findings ${row.findingsWith} / ${row.findingsWithout}.`),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } } });
  const result = await measureSchemaModel({ runs: Math.max(1, Number(values.runs)) });
  if (values.json) console.log(JSON.stringify(result, null, 1));
  else {
    console.log(`lint throughput with the schema model (baseline: ${result.baseline}, median of ${result.runs} interleaved in-process runs; verdict on CPU time)`);
    console.log('| Workload | Without model CPU (ms) | With model CPU (ms) | CPU ratio | Wall without / with (ms) | Wall ratio | Goal | Met |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    for (const row of result.rows) console.log(`| ${row.workload} | ${row.withoutModelMs.toFixed(0)} | ${row.withModelMs.toFixed(0)} | ${row.ratio.toFixed(2)}× | ${row.withoutModelWallMs.toFixed(0)} / ${row.withModelWallMs.toFixed(0)} | ${row.wallRatio.toFixed(2)}× | ${row.goal} | ${row.met ? 'yes' : 'NO'} |`);
  }
  process.exit(result.rows.every((row) => row.met) ? 0 : 1);
}
