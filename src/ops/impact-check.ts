/**
 * The PR check's use of a production snapshot: impact on the lint findings, throughput calibrated on
 * the check's throwaway database when there is one, and drift — the snapshot's schema fingerprint
 * against the schema the migrations before the PR produce there (replay-base).
 */
import { existsSync } from 'node:fs';
import type { DdlgateConfig } from '../config.js';
import { snapshotCatalog } from '../db/catalog.js';
import { closeQuietly, connect } from '../db/connection.js';
import { compareWithSnapshot, describeSnapshotDrift, type SnapshotDrift } from '../impact/drift.js';
import { REFERENCE_THROUGHPUT, type Throughput } from '../impact/estimate.js';
import { readSnapshotFile } from '../impact/snapshot.js';
import { withTracedImpact } from '../impact/traced.js';
import type { DryRunReport } from '../db/dry-run.js';
import { impactSettings, lintWithSnapshot } from '../impact/with-snapshot.js';
import type { LintResult } from '../lint/index.js';
import { calibrate } from './calibrate.js';

export interface CheckImpactOptions {
  statsFile: string;
  config: DdlgateConfig;
  lockTimeoutMs?: number;
  /** Tracking schema (left out of the fingerprint). */
  schema: string;
  /** A throwaway database holding the migrations before the PR (replay-base): calibrated on and compared. */
  throwawayUrl?: string;
  /** The dry-run's report: every traced lock on a table the snapshot knows gets its impact too. */
  dryRun?: DryRunReport;
}

export interface CheckImpact {
  lint: LintResult;
  /** Lines for the report: where the snapshot and the figures come from, and drift. */
  notes: string[];
  drift: SnapshotDrift | null;
  throughput: Throughput | null;
  /** The dry-run report with impact on its traced locks (when one was given and a snapshot exists). */
  dryRun?: DryRunReport;
}

/** A missing snapshot file is not an error here (the first deploy has not published one yet): it is said. */
export async function impactForCheck(lint: LintResult, options: CheckImpactOptions): Promise<CheckImpact> {
  if (!existsSync(options.statsFile)) {
    return { lint, notes: [`No production snapshot at ${options.statsFile} yet (the deploy workflow publishes one after each production apply): sizes and lock durations are unknown.`], drift: null, throughput: null };
  }
  const snapshot = readSnapshotFile(options.statsFile);
  const notes = [`Production snapshot of ${snapshot.takenAt.slice(0, 16).replace('T', ' ')} UTC (PostgreSQL ${snapshot.server.version}, ${Object.keys(snapshot.tables).length} tables${snapshot.redacted ? ', identifiers redacted' : ''}).`];
  let throughput: Throughput = REFERENCE_THROUGHPUT;
  let drift: SnapshotDrift | null = null;
  if (options.throwawayUrl) {
    try {
      throughput = await calibrate(options.throwawayUrl);
    } catch (error) {
      notes.push(`Calibration failed (${(error as Error).message.split('\n')[0]}): ${REFERENCE_THROUGHPUT.source}.`);
    }
    drift = await driftAgainst(snapshot, options.throwawayUrl, options.schema);
    notes.push(...describeSnapshotDrift(drift));
  }
  notes.push(`Durations estimated from ${throughput.source}; production hardware and load differ, hence ranges.`);
  const settings = impactSettings(options.config, throughput, options.lockTimeoutMs);
  return { lint: lintWithSnapshot(lint, snapshot, settings), notes, drift, throughput, ...(options.dryRun ? { dryRun: withTracedImpact(options.dryRun, snapshot, settings) } : {}) };
}

async function driftAgainst(snapshot: Parameters<typeof compareWithSnapshot>[0], url: string, schema: string): Promise<SnapshotDrift> {
  const client = await connect(url);
  try {
    const major = Math.floor(Number((await client.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
    return compareWithSnapshot(snapshot, await snapshotCatalog(client, schema), major, process.env.DDLGATE_REDACT_KEY || undefined);
  } finally {
    await closeQuietly(client);
  }
}
