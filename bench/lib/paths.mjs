// Paths the benchmarks share.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');
export const NODE = process.execPath;
export const DDLGATE_BIN = path.join(ROOT, 'bin', 'ddlgate.js');
