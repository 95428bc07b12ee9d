import type { Command } from 'commander';
import { RollbackFailed, runDown, type RolledBack } from '../../db/down.js';
import { currentEnvironment } from '../../db/session.js';
import { action, parseIntegerOption, print, printJson, readSet, withCommonOptions, withLayout } from '../common.js';
import { publishRunMetrics, withMetricsOptions } from '../metrics-options.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withMetricsOptions(withRunnerOptions(withCommonOptions(program.command('down').description('roll back the latest migration (or --steps N, --to <version>, --batch) with its down file'))))
    .option('--steps <n>', 'number of migrations to roll back', parseIntegerOption('--steps', 1))
    .option('--to <version>', 'roll back every migration newer than this version (exclusive)')
    .option('--batch', 'roll back the whole last batch')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options);
        settings.set = readSet(common);
        const environment = currentEnvironment(settings.environment);
        let done: RolledBack[];
        try {
          done = await runDown({ ...settings, steps: options.steps, to: options.to, batch: options.batch });
        } catch (error) {
          if (error instanceof RollbackFailed) await publishRunMetrics(options, environment, 'down', error.done, error.failed, false);
          else await publishRunMetrics(options, environment, 'down', [], null, false);
          throw error;
        }
        await publishRunMetrics(options, environment, 'down', done, null, true);
        if (common.format === 'json') printJson(withLayout(settings.set, { rolledBack: done }));
        else if (done.length === 0) print('Nothing to roll back.');
        else print(`Rolled back ${done.length} migration(s): ${done.map((d) => `${d.version}_${d.name}`).join(', ')}.`);
        return 0;
      }),
    );
}
