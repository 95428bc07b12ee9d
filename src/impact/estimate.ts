/**
 * The impact model: how long the blocking part of an operation lasts on a table of a given size.
 * Pure arithmetic over throughput figures that ddlgate measures itself (src/ops/calibrate.ts runs the
 * three operations on a scratch table of the throwaway server and divides) — see docs/impact.md.
 *
 *   validating scan  = heap bytes / scan rate                      (SET NOT NULL, CHECK, FOREIGN KEY, VALIDATE)
 *   rewrite          = (heap + TOAST bytes) / rewrite rate + a rebuild of every index of the table
 *   index build      = rows / index rate × log(rows) / log(calibration rows)   (a sort: n log n)
 *   lock only        = nothing measurable while held; the wait for the lock is bounded by lock_timeout
 *
 * The result is a range: a point estimate scaled from the calibration, widened because production
 * differs from the machine that calibrated (cold cache, concurrent load, wider rows, slower disks).
 */

export type Operation = 'rewrite' | 'scan' | 'index build' | 'lock';

export interface Throughput {
  /** Heap bytes per second a validating scan reads. */
  scanBytesPerSecond: number;
  /** Heap bytes per second a table rewrite (read, convert, write, WAL) processes. */
  rewriteBytesPerSecond: number;
  /** Rows per second a B-tree build sorts and writes, at `calibrationRows`. */
  indexRowsPerSecond: number;
  calibrationRows: number;
  /** Seconds a validating scan costs on an empty table in a fresh session (catalog work, commit). */
  fixedSeconds: number;
  /** The same for a rewrite (new files for the heap, TOAST and the primary key) and an index build; default fixedSeconds. */
  rewriteFixedSeconds?: number;
  indexFixedSeconds?: number;
  /** Where the figures come from: shown in the report, so a reader can judge them. */
  source: string;
}

/**
 * Figures measured by `npm run bench:impact` (bench/impact.mjs: the calibration on the embedded PostgreSQL 18
 * of a 2-core machine under a load average of ~15, 2026-12-02); used when no database calibrated this run
 * (lint without a database). Deliberately those of a slow, busy machine.
 */
export const REFERENCE_THROUGHPUT: Throughput = {
  scanBytesPerSecond: 85 * 1024 * 1024,
  rewriteBytesPerSecond: 40 * 1024 * 1024,
  indexRowsPerSecond: 340_000,
  calibrationRows: 375_000,
  fixedSeconds: 0.015,
  source: 'reference figures from ddlgate\'s benchmark (no database calibrated this run)',
};

/** Production is rarely faster than the calibration and can be several times slower: cold cache, load. */
export const RANGE_LOW = 0.5;
export const RANGE_HIGH = 3;

export interface TableSize {
  rows: number;
  heapBytes: number;
  toastBytes: number;
  /** Rows of each index to rebuild on a rewrite (one entry per index). */
  indexCount: number;
}

/** Point estimate in seconds of the blocking part, before widening into a range. */
export function pointEstimate(operation: Operation, size: TableSize, throughput: Throughput): number {
  switch (operation) {
    case 'scan':
      return throughput.fixedSeconds + size.heapBytes / throughput.scanBytesPerSecond;
    case 'rewrite':
      return (throughput.rewriteFixedSeconds ?? throughput.fixedSeconds) + (size.heapBytes + size.toastBytes) / throughput.rewriteBytesPerSecond + size.indexCount * indexBuildSeconds(size.rows, throughput);
    case 'index build':
      return (throughput.indexFixedSeconds ?? throughput.fixedSeconds) + indexBuildSeconds(size.rows, throughput);
    case 'lock':
      return 0;
  }
}

function indexBuildSeconds(rows: number, throughput: Throughput): number {
  if (rows <= 1) return 0;
  const sortFactor = Math.log2(Math.max(rows, 2)) / Math.log2(Math.max(throughput.calibrationRows, 2));
  return (rows / throughput.indexRowsPerSecond) * sortFactor;
}

/**
 * The range shown to a reviewer, rounded to what the model can know (two significant digits, at
 * least a millisecond). A lock-only operation's range is the wait ceiling: from nothing to lock_timeout.
 */
export function estimateRange(operation: Operation, size: TableSize, throughput: Throughput, lockTimeoutSeconds: number): [number, number] {
  if (operation === 'lock') return [0, roundSeconds(lockTimeoutSeconds)];
  const point = pointEstimate(operation, size, throughput);
  return [roundSeconds(point * RANGE_LOW), roundSeconds(point * RANGE_HIGH)];
}

export function roundSeconds(seconds: number): number {
  if (seconds <= 0.001) return 0.001;
  const digits = Math.max(0, 1 - Math.floor(Math.log10(seconds)));
  return Number(seconds.toFixed(Math.min(digits, 3)));
}

/** "0.4–2.4 s", "3–18 min", "up to 5 s": no more precision than the model has. */
export function formatRange([lo, hi]: [number, number]): string {
  if (lo === 0) return `up to ${formatDuration(hi)}`;
  if (hi < 0.01) return 'milliseconds';
  const unit = hi >= 7200 ? 3600 : hi >= 120 ? 60 : 1;
  const name = unit === 3600 ? 'h' : unit === 60 ? 'min' : 's';
  return `${short(lo / unit)}–${short(hi / unit)} ${name}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${short(seconds)} s`;
  if (seconds < 7200) return `${short(seconds / 60)} min`;
  return `${short(seconds / 3600)} h`;
}

function short(value: number): string {
  if (value >= 10) return String(Math.round(value));
  if (value >= 1) return value.toFixed(1).replace(/\.0$/, '');
  return value.toFixed(2).replace(/0$/, '');
}

