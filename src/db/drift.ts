/**
 * Drift: the live schema no longer is what the migrations made it, because someone changed it by
 * hand. `up` records the catalog fingerprint after each migration; drift is the live fingerprint
 * differing from the one recorded by the last migration applied. The differing objects themselves
 * come from replaying the applied migrations on a throwaway server and comparing the two catalogs.
 */
import { OperationError } from '../errors.js';
import { catalogFingerprint, diffCatalogs, fingerprintOf, snapshotCatalog, summariseDifferences, type CatalogDifference } from './catalog.js';
import { closeQuietly, connect, quoteIdent, type Client } from './connection.js';
import type { ServerSource } from './ephemeral.js';
import { describePgError } from './execute.js';
import { compareVersions } from './status.js';
import { readAppliedRows, trackingTablesExist } from './tracking.js';
import { replayMigrations, startThrowawayServer, type RunnerBase } from './verify.js';

export type DriftState = 'none' | 'drift' | 'unknown';

export interface DriftReport {
  state: DriftState;
  liveFingerprint: string;
  recordedFingerprint: string | null;
  /** The migration whose recorded fingerprint was compared. */
  recordedBy: { version: string; name: string } | null;
  /** Differences replay → live (before = what the migrations produce, after = what the database has); null when no replay ran. */
  differences: CatalogDifference[] | null;
  notes: string[];
}

export interface RecordedFingerprint {
  version: string;
  name: string;
  fingerprint: string | null;
}

/** The last migration applied (in time) and the fingerprint it recorded. */
export async function lastRecordedFingerprint(client: Client, schema: string): Promise<RecordedFingerprint | null> {
  if (!(await trackingTablesExist(client, schema))) return null;
  const result = await client.query(
    `SELECT version, name, schema_fingerprint AS fingerprint FROM ${quoteIdent(schema)}.schema_migrations
      WHERE status = 'applied' ORDER BY applied_at DESC NULLS LAST, version DESC LIMIT 1`,
  );
  return (result.rows[0] as RecordedFingerprint | undefined) ?? null;
}

/** Fingerprint comparison only: cheap (catalog queries), used by `up` before it applies anything. */
export async function compareFingerprint(client: Client, schema: string): Promise<DriftReport> {
  const live = await catalogFingerprint(client, schema);
  const recorded = await lastRecordedFingerprint(client, schema);
  const report: DriftReport = { state: 'unknown', liveFingerprint: live, recordedFingerprint: recorded?.fingerprint ?? null, recordedBy: recorded ? { version: recorded.version, name: recorded.name } : null, differences: null, notes: [] };
  if (!recorded) report.notes.push('no migration applied yet: nothing to compare with');
  else if (!recorded.fingerprint) report.notes.push(`migration ${recorded.version}_${recorded.name} recorded no schema fingerprint (applied before ddlgate recorded them, or by baseline)`);
  else report.state = recorded.fingerprint === live ? 'none' : 'drift';
  return report;
}

export interface DriftOptions extends RunnerBase {
  databaseUrl: string;
  /** Replay on a throwaway server to list the differing objects (default true). */
  replay?: boolean;
  source?: ServerSource;
}

/**
 * Full drift check: fingerprints first; when they differ (or none was recorded), replays the applied
 * migrations on a throwaway server of the same major and lists the objects that differ.
 */
export async function checkDrift(options: DriftOptions): Promise<DriftReport> {
  const client = await connect(options.databaseUrl);
  let report: DriftReport;
  try {
    report = await compareFingerprint(client, options.schema);
    if (report.state === 'none' || options.replay === false || !report.recordedBy) return report;
    const liveMajor = Math.floor(Number((await client.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
    const live = await snapshotCatalog(client, options.schema);
    // The fingerprint may have been computed by another ddlgate version; recompute from the same snapshot.
    report.liveFingerprint = fingerprintOf(live);
    // Replay every applied migration (the newest by version: out-of-order applies included).
    const versions = (await readAppliedRows(client, options.schema)).filter((row) => row.status === 'applied').map((row) => row.version);
    const newest = versions.sort(compareVersions).pop() ?? report.recordedBy.version;
    const differences = await replayDifferences(options, newest, liveMajor, live, report.notes);
    if (differences) {
      report.differences = differences;
      // Without a recorded fingerprint the replay is the only judge.
      if (report.state === 'unknown') report.state = differences.length ? 'drift' : 'none';
    }
    return report;
  } finally {
    await closeQuietly(client);
  }
}

async function replayDifferences(options: DriftOptions, lastVersion: string, liveMajor: number, live: Awaited<ReturnType<typeof snapshotCatalog>>, notes: string[]): Promise<CatalogDifference[] | null> {
  let throwaway;
  try {
    throwaway = await startThrowawayServer(options.source !== undefined ? { source: options.source } : { preferMajor: liveMajor });
  } catch (error) {
    notes.push(`differing objects not listed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  if (throwaway.note) notes.push(throwaway.note);
  try {
    await replayMigrations(throwaway.server.url, { ...options, log: () => {} }, lastVersion);
    const replay = await connect(throwaway.server.url);
    try {
      return summariseDifferences(diffCatalogs(await snapshotCatalog(replay, options.schema), live));
    } finally {
      await closeQuietly(replay);
    }
  } catch (error) {
    notes.push(`differing objects not listed: the replay of the migrations failed: ${error instanceof Error ? error.message : describePgError(error)}`);
    return null;
  } finally {
    await throwaway.server.stop();
  }
}

/** Text lines describing a drift report (used by `status --drift` and by `up`'s warning). */
export function describeDrift(report: DriftReport): string[] {
  const lines: string[] = [];
  const by = report.recordedBy ? `${report.recordedBy.version}_${report.recordedBy.name}` : null;
  if (report.state === 'none') lines.push(`No drift: the schema matches the one recorded by ${by ?? 'the migrations'}.`);
  else if (report.state === 'drift') lines.push(`DRIFT: the live schema differs from the one ${by ? `recorded after ${by}` : 'the migrations produce'}.`);
  else lines.push('Drift unknown.');
  for (const d of report.differences ?? []) {
    if (d.attribute === 'exists') lines.push(`  ${d.object}: ${d.before === 'yes' ? 'missing from the database' : 'not created by any migration'}`);
    else lines.push(`  ${d.object}: ${d.attribute} is ${show(d.after)}, migrations give ${show(d.before)}`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}

function show(value: string | null): string {
  if (value === null) return '(none)';
  const flat = value.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 160 ? `${flat.slice(0, 159)}…` : flat);
}

/**
 * The drift check `up` runs after taking the lock and before applying anything: a warning, or a
 * refusal with `failOnDrift`. The differing objects are listed only when drift is found (a replay
 * costs a throwaway server start), and a replay that cannot run only shortens the message.
 */
export async function driftBeforeApply(client: Client, options: DriftOptions & { failOnDrift?: boolean }): Promise<DriftReport> {
  let report = await compareFingerprint(client, options.schema);
  if (report.state !== 'drift') return report;
  if (options.replay !== false) report = await checkDrift(options);
  const lines = describeDrift(report);
  if (report.state === 'drift' && options.failOnDrift) {
    throw new DriftDetected(`schema drift detected, nothing was applied (--fail-on-drift): ${lines.slice(1).map((l) => l.trim()).join('; ') || lines[0]}`, report);
  }
  for (const line of lines) options.log(`drift: ${line.trim()}`);
  return report;
}

export class DriftDetected extends OperationError {
  constructor(
    message: string,
    readonly report: DriftReport,
  ) {
    super(message);
  }
}
