import type { Command } from 'commander';
import { describeChange, runRepair } from '../../ops/repair.js';
import { action, note, print, printJson, readSet, requireDatabaseUrl, resolveCommon, withCommonOptions, withLayout } from '../common.js';
import { cliTimings } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(program.command('repair').description('clear failed attempts and re-record checksums of edited applied files; shows the plan, changes only with --yes (audited)'))
    .option('--yes', 'apply the repair (without it, only the plan is shown and nothing changes)')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const databaseUrl = requireDatabaseUrl(common);
        const set = readSet(common);
        const result = await runRepair({
          databaseUrl,
          set,
          schema: common.schema,
          dir: common.dir,
          ...(common.layout ? { layout: common.layout } : {}),
          confirm: Boolean(options.yes),
          lockWaitMs: cliTimings(options, common.config).lockWaitMs,
          environment: options.environment ?? null,
          log: note,
        });
        if (common.format === 'json') printJson(withLayout(set, result));
        else if (result.changes.length === 0) print('Nothing to repair.');
        else {
          print(`${result.applied ? 'Repaired' : 'Would repair'}:`);
          for (const change of result.changes) print(`  ${describeChange(change)}`);
          if (!result.applied) print('Nothing changed: run again with --yes to apply these changes.');
        }
        // A plan shown but not applied is not a success: a script running repair then up would otherwise go on blindly.
        return result.changes.length > 0 && !result.applied ? 1 : 0;
      }),
    );
}
