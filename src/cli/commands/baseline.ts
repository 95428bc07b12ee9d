import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { runBaseline } from '../../ops/baseline.js';
import { action, note, print, printJson, readSet, requireDatabaseUrl, resolveCommon, withCommonOptions, withLayout } from '../common.js';
import { cliTimings } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(program.command('baseline').description('mark migrations up to --to as applied without running them (a database that predates ddlgate); audited'))
    .option('--to <version>', 'the last migration the existing database already contains')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const databaseUrl = requireDatabaseUrl(common);
        const set = readSet(common);
        if (!options.to) throw new InputError('baseline: pass the last version the database already has with --to <version>');
        const result = await runBaseline({
          databaseUrl,
          set,
          schema: common.schema,
          dir: common.dir,
          ...(common.layout ? { layout: common.layout } : {}),
          to: options.to,
          lockWaitMs: cliTimings(options, common.config).lockWaitMs,
          environment: options.environment ?? null,
          log: note,
        });
        if (common.format === 'json') printJson(withLayout(set, result));
        else if (result.baselined.length === 0) print(`Nothing to baseline: every migration up to ${options.to} is already recorded.`);
        else print(`Baselined ${result.baselined.length} migration(s) up to ${options.to} (recorded as applied, not run; batch ${result.batch}).`);
        return 0;
      }),
    );
}
