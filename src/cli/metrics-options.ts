import type { Command } from 'commander';
import type { Direction } from '../ops/metrics.js';
import { note } from './common.js';

/** --metrics-file and --pushgateway, shared by the commands that run migrations (up and down). */
export function withMetricsOptions(command: Command): Command {
  return command
    .option('--metrics-file <path>', 'write Prometheus metrics here (node_exporter textfile collector format)')
    .option('--pushgateway <url>', 'push Prometheus metrics to this Pushgateway (job "ddlgate", grouped by environment); a failed push is only a warning');
}

/** Records one run and publishes it where asked; a metrics failure is a warning, never a failed migration. */
export async function publishRunMetrics(
  options: { metricsFile?: string; pushgateway?: string },
  environment: string | null,
  direction: Direction,
  done: Array<{ version: string; durationMs: number }>,
  failed: { version: string } | null,
  ok: boolean,
): Promise<void> {
  if (!options.metricsFile && !options.pushgateway) return;
  // prom-client is loaded only when metrics are asked for, keeping it off every command's start-up.
  const { emitMetrics, MigrationMetrics, recordRun } = await import('../ops/metrics.js');
  const metrics = new MigrationMetrics();
  recordRun(metrics, direction, done, failed, ok);
  for (const warning of await emitMetrics(metrics, { metricsFile: options.metricsFile, pushgateway: options.pushgateway, environment })) note(`ddlgate: warning: ${warning}`);
}
