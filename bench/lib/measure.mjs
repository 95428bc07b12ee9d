// Timing helpers the benchmarks share.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';
let gnuTime;

/** Whether GNU time is installed: peak RSS of a child process comes from it (node cannot see a child's rusage). */
export function haveGnuTime() {
  if (gnuTime === undefined) {
    const result = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
    gnuTime = result.status === 0 && /GNU/.test(`${result.stdout}${result.stderr}`);
  }
  return gnuTime;
}

/** The p-th percentile (nearest rank) of a list of numbers; NaN for an empty list. */
export function percentile(values, p) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median (mean of the two middle values for an even count); NaN for an empty list. */
export function median(values) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs a command; resolves with its exit code, output, wall time in ms and (under GNU time, unless
 * `memory: false`) its peak RSS in kB. GNU time writes to its own file, so the command's stderr stays its own;
 * its fork/exec costs about a millisecond and is paid alike by every tool measured.
 */
export function runTimed(command, args, options = {}) {
  const memory = options.memory !== false && haveGnuTime();
  const scratch = memory ? mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-time-')) : null;
  const rssFile = scratch && path.join(scratch, 'rss');
  const [file, argv] = memory ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      let peakRssKb = null;
      if (scratch) {
        try {
          // "Command exited with non-zero status N" may precede the number: the last line is %M.
          const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop();
          peakRssKb = /^\d+$/.test(last) ? Number(last) : null;
        } catch {
          peakRssKb = null;
        }
        rmSync(scratch, { recursive: true, force: true });
      }
      resolve({ code, stdout, stderr, ms, peakRssKb });
    });
  });
}

/** Median, min, max and memory of a list of runTimed results; `last` keeps the final run's output. */
export function summarize(results) {
  const ms = results.map((r) => r.ms);
  const rss = results.map((r) => r.peakRssKb).filter((kb) => typeof kb === 'number');
  return {
    runs: results.length,
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    samples: ms,
    peakRssKb: rss.length ? Math.max(...rss) : null,
    medianRssKb: rss.length ? median(rss) : null,
    last: results[results.length - 1],
  };
}

/**
 * Runs `fn` (which returns a runTimed result) `runs` times, one after another, and summarizes. An exit code
 * outside `okCodes` is a failed measurement, not a slow one: it throws with the tail of the output.
 */
export async function repeat(runs, fn, { okCodes = [0], label = 'command' } = {}) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const result = await fn();
    if (!okCodes.includes(result.code)) {
      const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${label} exited with ${result.code}: ${tail}`);
    }
    results.push(result);
  }
  return summarize(results);
}
