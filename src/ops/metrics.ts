import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import { scrubSecrets } from '../secrets.js';

export type Direction = 'up' | 'down';

/**
 * Prometheus metrics of one ddlgate run, on a private registry (never prom-client's global one, so
 * nothing else in the process leaks into the textfile or the push).
 */
export class MigrationMetrics {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: 'db_migration_duration_seconds',
    help: 'Time to apply or roll back one migration, in seconds.',
    labelNames: ['version', 'direction'] as const,
    // Migrations range from milliseconds (DDL on empty tables) to hours (backfills, index builds).
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly status = new Gauge({
    name: 'db_migration_status',
    help: 'Outcome of the last ddlgate run: 1 success, 0 failure.',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  private readonly total = new Counter({
    name: 'db_migration_total',
    help: 'Migrations attempted in this run, by outcome.',
    labelNames: ['direction', 'status'] as const,
    registers: [this.registry],
  });

  /** One migration finished (successfully or not). */
  observe(version: string, direction: Direction, durationMs: number, ok: boolean): void {
    if (ok) this.duration.observe({ version, direction }, durationMs / 1000);
    this.total.inc({ direction, status: ok ? 'success' : 'failure' });
  }

  /** The run as a whole; a run with nothing to apply is a success. */
  finish(direction: Direction, ok: boolean): void {
    // Both outcomes exist from the start so a rate() over them never sees a series appear from nothing.
    this.total.inc({ direction, status: 'success' }, 0);
    this.total.inc({ direction, status: 'failure' }, 0);
    this.status.set({ direction }, ok ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Writes the text exposition format for node_exporter's textfile collector: through a temporary file
 * and a rename, because the collector may read the file at any moment and must never see half of it.
 */
export async function writeMetricsFile(metrics: MigrationMetrics, file: string): Promise<void> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, await metrics.text());
  renameSync(temp, file);
}

/**
 * Pushes to a Pushgateway under job "ddlgate", grouped by environment. Returns a warning instead of
 * throwing: monitoring being down must never turn a successful migration into a failed one.
 */
export async function pushMetrics(metrics: MigrationMetrics, url: string, environment: string | null, timeoutMs = 10_000): Promise<string | undefined> {
  try {
    new URL(url);
  } catch {
    return `--pushgateway: "${scrubSecrets(url)}" is not a URL; metrics not pushed`;
  }
  const gateway = new Pushgateway(url, { timeout: timeoutMs }, metrics.registry);
  try {
    await gateway.pushAdd({ jobName: 'ddlgate', groupings: { environment: environment || 'default' } });
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return scrubSecrets(`could not push metrics to ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${message.split('\n')[0]}`);
  }
}

export interface MetricsTargets {
  metricsFile?: string;
  pushgateway?: string;
  environment: string | null;
}

/** Records a run's migrations: the applied ones with their durations, and the failed one if any. */
export function recordRun(metrics: MigrationMetrics, direction: Direction, applied: Array<{ version: string; durationMs: number }>, failed: { version: string } | null, ok: boolean): void {
  for (const migration of applied) metrics.observe(migration.version, direction, migration.durationMs, true);
  if (failed) metrics.observe(failed.version, direction, 0, false);
  metrics.finish(direction, ok);
}

/** Writes and pushes the metrics; returns warnings (never throws: metrics never fail a migration). */
export async function emitMetrics(metrics: MigrationMetrics, targets: MetricsTargets): Promise<string[]> {
  const warnings: string[] = [];
  if (targets.metricsFile) {
    try {
      await writeMetricsFile(metrics, targets.metricsFile);
    } catch (error) {
      warnings.push(`could not write metrics to ${targets.metricsFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (targets.pushgateway) {
    const warning = await pushMetrics(metrics, targets.pushgateway, targets.environment);
    if (warning) warnings.push(warning);
  }
  return warnings;
}
