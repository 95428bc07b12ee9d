/**
 * Glue for the shells (CLI `lint --stats`, the action's `stats` input): reads the migrations' text for
 * their targets, runs the pure impact pass and recounts the summary. Reads files; prints nothing.
 */
import { readFileSync } from 'node:fs';
import { durationToMs, type DdlgateConfig } from '../config.js';
import type { LintResult } from '../lint/index.js';
import { summarize } from '../lint/summary.js';
import { applyImpact, DEFAULT_SMALL_TABLE_BYTES, DEFAULT_SMALL_TABLE_ROWS, type ImpactSettings } from './apply.js';
import { REFERENCE_THROUGHPUT, type Throughput } from './estimate.js';
import type { Snapshot } from './snapshot.js';
import { migrationTargets, type MigrationTargets } from './targets.js';

export function impactSettings(config: DdlgateConfig, throughput: Throughput = REFERENCE_THROUGHPUT, lockTimeoutMs?: number): ImpactSettings {
  const redactKey = process.env.DDLGATE_REDACT_KEY || undefined;
  return {
    smallTableRows: config.smallTableRows ?? DEFAULT_SMALL_TABLE_ROWS,
    smallTableBytes: config.smallTableBytes ?? DEFAULT_SMALL_TABLE_BYTES,
    lockTimeoutSeconds: (lockTimeoutMs ?? durationToMs(config.lockTimeout ?? '5s', 'lockTimeout')) / 1000,
    throughput,
    ...(redactKey ? { redactKey } : {}),
  };
}

/** The lint result with `impact` on every finding and severities following size and activity. */
export function lintWithSnapshot(result: LintResult, snapshot: Snapshot, settings: ImpactSettings): LintResult {
  const targets = new Map<string, MigrationTargets>();
  for (const file of result.files) {
    try {
      targets.set(file.path, migrationTargets(readFileSync(file.path, 'utf8').replace(/^\uFEFF/, '')));
    } catch {
      // A file the lint could not read already carries its finding; it has no targets.
    }
  }
  const files = applyImpact(result.files, snapshot, targets, settings);
  return { ...result, files, summary: summarize(files) };
}
