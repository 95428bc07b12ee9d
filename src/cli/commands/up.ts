import type { Command } from 'commander';
import { MigrationFailed, runUp, type UpResult } from '../../db/up.js';
import { action, note, print, printJson, withCommonOptions } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withRunnerOptions(withCommonOptions(program.command('up').description('apply pending migrations in order, each in its own transaction')))
    .option('--to <version>', 'stop after this version')
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one')
    .option('--single-transaction', 'apply all pending migrations in one transaction')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options);
        let result: UpResult;
        try {
          result = await runUp({ ...settings, to: options.to, allowOutOfOrder: options.allowOutOfOrder, singleTransaction: options.singleTransaction });
        } catch (error) {
          if (error instanceof MigrationFailed && common.format === 'json') {
            printJson(error.result);
            note(`pgsafe: ${error.message}`);
            return 1;
          }
          throw error;
        }
        if (common.format === 'json') printJson(result);
        else if (result.applied.length === 0) print('Nothing to apply: the database is up to date.');
        else print(`Applied ${result.applied.length} migration(s) in batch ${result.batch}.`);
        return 0;
      }),
    );
}
