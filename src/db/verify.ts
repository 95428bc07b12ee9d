/**
 * Rollback verification: every migration must survive up → down → up on a real server, and its down
 * must return the schema to exactly what it was. Runs on a throwaway PostgreSQL (or a scratch database
 * the user names explicitly) with the same runner as production, so what is verified is what runs.
 */
import { entriesOf } from '../migrations/discover.js';
import { diffCatalogs, snapshotCatalog, summariseDifferences, type CatalogDifference } from './catalog.js';
import { closeQuietly, connect, quoteIdent } from './connection.js';
import { runDown } from './down.js';
import { runDryRun, type DryRunReport, type StatementObserver } from './dry-run.js';
import { startEphemeralPostgres, type EphemeralServer, type ServerSource } from './ephemeral.js';
import { describePgError } from './execute.js';
import { compareVersions } from './status.js';
import { readAppliedRows } from './tracking.js';
import { runUp, type RunnerSettings } from './up.js';

export type RunnerBase = Omit<RunnerSettings, 'databaseUrl'>;

export interface ThrowawayServer {
  server: EphemeralServer;
  /** A note when the server's major differs from the one asked for. */
  note?: string;
}

/**
 * Starts a throwaway server, preferring the given major (the live server's, so catalog text such as
 * view definitions compares like for like) and falling back to whatever is installed.
 */
export async function startThrowawayServer(options: { source?: ServerSource; preferMajor?: number } = {}): Promise<ThrowawayServer> {
  if (options.source !== undefined) return { server: await startEphemeralPostgres({ source: options.source }) };
  if (options.preferMajor) {
    const attempts: ServerSource[] = [options.preferMajor, 'embedded'];
    for (const source of attempts) {
      try {
        const server = await startEphemeralPostgres({ source });
        if (server.major === options.preferMajor) return { server };
        await server.stop();
      } catch {
        // not installed: try the next source
      }
    }
    const server = await startEphemeralPostgres();
    return { server, note: `no PostgreSQL ${options.preferMajor} installed here: compared on PostgreSQL ${server.major}` };
  }
  return { server: await startEphemeralPostgres() };
}

/** Applies the migrations up to and including `to` (all when undefined) with the production runner. */
export async function replayMigrations(databaseUrl: string, settings: RunnerBase, to?: string): Promise<void> {
  await runUp({ ...settings, databaseUrl, ...(to !== undefined ? { to } : {}), allowOutOfOrder: true });
}

export interface VerifyOptions extends RunnerBase {
  /** A scratch database verify may write to; a throwaway server is started when absent. */
  databaseUrl?: string;
  source?: ServerSource;
  requireDown?: boolean;
}

export type StepState = 'ok' | 'failed' | 'missing' | 'skipped';

export interface VerifyMigration {
  version: string;
  name: string;
  ok: boolean;
  up: StepState;
  down: StepState;
  reup: StepState;
  /** The first failure; every failure is in `errors`. */
  error: string | null;
  errors: string[];
  /** Schema after down compared with the schema before up (must be empty). */
  afterDown: CatalogDifference[];
  /** Schema after the second up compared with the schema after the first (must be empty). */
  afterReup: CatalogDifference[];
  notes: string[];
}

export interface VerifyReport {
  ok: boolean;
  server: string;
  migrations: VerifyMigration[];
  /** Migrations not verified because an earlier one left the database in an unknown state. */
  notVerified: string[];
}

/**
 * For each pending migration in order: snapshot → up → snapshot → down → snapshot (must equal the
 * first) → up again (must succeed and equal the second). On a throwaway server a broken round trip
 * does not end the run: the next migrations continue on a fresh database replayed to that point.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const entries = entriesOf(options);
  const throwaway = options.databaseUrl ? undefined : await startThrowawayServer(options.source !== undefined ? { source: options.source } : {});
  const report: VerifyReport = {
    ok: true,
    server: throwaway ? `throwaway PostgreSQL ${throwaway.server.major}` : 'scratch database',
    migrations: [],
    notVerified: [],
  };
  let url = options.databaseUrl ?? throwaway!.server.url;
  let fresh = 0;
  let client = await connect(url);
  const snapshot = () => snapshotCatalog(client, options.schema);
  const settings: RunnerBase = { ...options, log: () => {} };
  try {
    const applied = new Set((await readAppliedRows(client, options.schema)).filter((row) => row.status === 'applied').map((row) => row.version));
    const pending = entries.filter((entry) => ![...applied].some((version) => compareVersions(version, entry.version) === 0));
    for (const [index, entry] of pending.entries()) {
      const result: VerifyMigration = { version: entry.version, name: entry.name, ok: true, up: 'skipped', down: 'skipped', reup: 'skipped', error: null, errors: [], afterDown: [], afterReup: [], notes: [] };
      report.migrations.push(result);
      const fail = (step: string, error: unknown) => {
        result.ok = false;
        const message = `${step}: ${error instanceof Error ? error.message : describePgError(error)}`;
        result.error ??= message;
        result.errors.push(message);
      };
      const s0 = await snapshot();
      try {
        await runUp({ ...settings, databaseUrl: url, to: entry.version, allowOutOfOrder: true });
        result.up = 'ok';
      } catch (error) {
        result.up = 'failed';
        fail('up', error);
        report.notVerified = pending.slice(index + 1).map((e) => `${e.version}_${e.name}`);
        break;
      }
      const s1 = await snapshot();
      if (!entry.downPath) {
        result.down = 'missing';
        result.notes.push(`no down file (${entry.version}_${entry.name}.down.sql)`);
        if (options.requireDown) {
          result.ok = false;
          result.error = `no down file (${entry.version}_${entry.name}.down.sql) and --require-down is set`;
          result.errors.push(result.error);
        }
        continue;
      }
      let consistent = true;
      try {
        await runDown({ ...settings, databaseUrl: url, steps: 1 });
        result.down = 'ok';
      } catch (error) {
        result.down = 'failed';
        fail('down', error);
      }
      const s2 = await snapshot();
      if (result.down === 'ok') {
        result.afterDown = summariseDifferences(diffCatalogs(s0, s2));
        if (result.afterDown.length) {
          result.ok = false;
          result.errors.push(`down does not restore the schema (${result.afterDown.length} difference(s))`);
          result.error ??= result.errors[result.errors.length - 1]!;
        }
        try {
          await runUp({ ...settings, databaseUrl: url, to: entry.version, allowOutOfOrder: true });
          result.reup = 'ok';
          result.afterReup = summariseDifferences(diffCatalogs(s1, await snapshot()));
          if (result.afterReup.length) {
            result.ok = false;
            result.errors.push(`up after down gives a different schema (${result.afterReup.length} difference(s))`);
            result.error ??= result.errors[result.errors.length - 1]!;
          }
          consistent = result.afterReup.length === 0;
        } catch (error) {
          result.reup = 'failed';
          fail('up after down', error);
          consistent = false;
        }
      } else {
        // A failed transactional down rolls back: the database is still where the up left it.
        consistent = diffCatalogs(s1, s2).length === 0;
      }
      if (consistent) continue;
      const rest = pending.slice(index + 1);
      if (rest.length === 0) break;
      if (!throwaway) {
        report.notVerified = rest.map((e) => `${e.version}_${e.name}`);
        result.notes.push('the scratch database is no longer in a known state: later migrations were not verified');
        break;
      }
      // Start the next migrations from a clean replay, so one broken down does not hide the others.
      await closeQuietly(client);
      const name = `ddlgate_verify_${++fresh}`;
      await withClient(throwaway.server.url, (admin) => admin.query(`CREATE DATABASE ${quoteIdent(name)}`));
      url = throwaway.server.url.replace(/\/[^/]*$/, `/${name}`);
      await replayMigrations(url, settings, entry.version);
      client = await connect(url);
    }
  } finally {
    await closeQuietly(client);
    await throwaway?.server.stop();
  }
  report.ok = report.migrations.every((m) => m.ok);
  return report;
}

async function withClient<T>(url: string, body: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await body(client);
  } finally {
    await closeQuietly(client);
  }
}

export interface EphemeralDryRunOptions extends RunnerBase {
  /** The live database: only read, to learn which migrations are applied there (and its major). */
  liveUrl?: string;
  /** Without a live database: the last migration to replay before the dry-run (default: none). */
  replayTo?: string;
  source?: ServerSource;
  to?: string;
  allowOutOfOrder?: boolean;
  /** A fresh observer per migration (the lock trace keeps per-run state). */
  observer?: () => StatementObserver;
}

/**
 * A dry-run that needs no shared database: a throwaway server gets every migration up to the last
 * applied one (read from the live database when given, else `replayTo`), then each pending migration
 * is dry-run there on its own and then applied for real, so every migration starts with no lock held
 * (as in production, where each commits) and the lock trace sees every lock it takes. Table sizes are
 * those of the replay (empty tables); lock modes and rewrites are real.
 */
export async function runEphemeralDryRun(options: EphemeralDryRunOptions): Promise<DryRunReport> {
  let replayTo = options.replayTo;
  let liveMajor: number | undefined;
  if (options.liveUrl) {
    const live = await connect(options.liveUrl);
    try {
      const applied = (await readAppliedRows(live, options.schema)).filter((row) => row.status === 'applied').map((row) => row.version);
      replayTo = applied.sort(compareVersions).pop();
      liveMajor = Math.floor(Number((await live.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
    } finally {
      await closeQuietly(live);
    }
  }
  const entries = entriesOf(options);
  const throwaway = await startThrowawayServer(options.source !== undefined ? { source: options.source } : liveMajor ? { preferMajor: liveMajor } : {});
  try {
    const { liveUrl: _live, replayTo: _replay, source: _source, observer, to, ...rest } = options;
    const url = throwaway.server.url;
    const quiet = { ...rest, log: () => {} };
    if (replayTo !== undefined) await replayMigrations(url, quiet, replayTo);
    const pending = entries.filter((e) => (replayTo === undefined || compareVersions(e.version, replayTo) > 0) && (to === undefined || compareVersions(e.version, to) <= 0));
    const merged: DryRunReport = { ok: true, migrations: [] };
    const absorb = (part: DryRunReport) => {
      merged.migrations.push(...part.migrations);
      for (const key of ['flags', 'unindexedForeignKeys'] as const) if (Array.isArray(part[key])) merged[key] = [...((merged[key] as unknown[]) ?? []), ...(part[key] as unknown[])];
    };
    for (const [index, entry] of pending.entries()) {
      const part = await runDryRun({ ...rest, databaseUrl: url, to: entry.version, ...(observer ? { observer: observer() } : {}) });
      if (!part.ok) {
        // Later migrations cannot start from a failed one: dry-run the rest together, as the live dry-run does.
        const restReport = index + 1 < pending.length ? await runDryRun({ ...rest, databaseUrl: url, ...(to !== undefined ? { to } : {}), ...(observer ? { observer: observer() } : {}) }) : part;
        absorb(restReport);
        break;
      }
      absorb(part);
      await replayMigrations(url, quiet, entry.version);
    }
    merged.ok = merged.migrations.every((m) => m.ok);
    merged.ephemeral = { server: `PostgreSQL ${throwaway.server.major}`, replayedThrough: replayTo ?? null, ...(throwaway.note ? { note: throwaway.note } : {}) };
    return merged;
  } finally {
    await throwaway.server.stop();
  }
}
