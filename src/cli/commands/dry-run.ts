import type { Command } from 'commander';
import { runDryRun } from '../../db/dry-run.js';
import { renderDryRunText } from '../../report/dry-run-text.js';
import { action, print, printJson, withCommonOptions } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withRunnerOptions(withCommonOptions(program.command('dry-run').description('run pending migrations in a transaction that is always rolled back, and report what they did')))
    .option('--to <version>', 'stop after this version')
    .option('--allow-out-of-order', 'include pending migrations older than the newest applied one')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options);
        const report = await runDryRun({ ...settings, to: options.to, allowOutOfOrder: options.allowOutOfOrder });
        if (common.format === 'json') printJson(report);
        else print(renderDryRunText(report));
        return report.ok ? 0 : 1;
      }),
    );
}
