import type { Command } from 'commander';
import { runLabel } from '../../ops/label.js';
import { action, note, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';
import { cliTimings } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('label')
      .description('show or set the environment this database belongs to; apply, rollback, seed and dry-run for another environment are then refused before any statement'),
  )
    .option('--environment <name>', 'record this environment (without it: show the current label)')
    .option('--force', 'replace a label that names another environment')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const result = await runLabel({
          databaseUrl: requireDatabaseUrl(common),
          schema: common.schema,
          lockWaitMs: cliTimings(options, common.config).lockWaitMs,
          log: note,
          ...(options.environment !== undefined ? { set: options.environment } : {}),
          force: Boolean(options.force),
        });
        if (common.format === 'json') printJson(result);
        else if (!result.label) print('This database has no environment label (the first apply with --environment sets it).');
        else if (result.changed) print(`Labelled environment "${result.label.environment}"${result.previous ? ` (was "${result.previous}")` : ''}.`);
        else print(`This database is labelled environment "${result.label.environment}".`);
        return 0;
      }),
    );
}
