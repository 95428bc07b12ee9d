// Paths the benchmarks share.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');
export const NODE = process.execPath;
// `let`, not `const`: `run.mjs --snapshot` points them at a private compile (useBuild), and ES module
// bindings are live, so every benchmark that imported them measures that build.
export let LIB_DIR = path.join(ROOT, 'lib');
export let DDLGATE_BIN = path.join(ROOT, 'bin', 'ddlgate.js');

/** Measures another build of ddlgate: its compiled lib/ and the bin script that runs it. */
export function useBuild(libDir, binPath) {
  LIB_DIR = libDir;
  DDLGATE_BIN = binPath;
}
