import type { Command } from 'commander';
import { runDown } from '../../db/down.js';
import { action, parseIntegerOption, print, printJson, withCommonOptions } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withRunnerOptions(withCommonOptions(program.command('down').description('roll back the latest migration (or --steps N, --to <version>, --batch) with its down file')))
    .option('--steps <n>', 'number of migrations to roll back', parseIntegerOption('--steps', 1))
    .option('--to <version>', 'roll back every migration newer than this version (exclusive)')
    .option('--batch', 'roll back the whole last batch')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options);
        const done = await runDown({ ...settings, steps: options.steps, to: options.to, batch: options.batch });
        if (common.format === 'json') printJson({ rolledBack: done });
        else if (done.length === 0) print('Nothing to roll back.');
        else print(`Rolled back ${done.length} migration(s): ${done.map((d) => `${d.version}_${d.name}`).join(', ')}.`);
        return 0;
      }),
    );
}
