import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { runRestore } from '../../ops/restore.js';
import { action, note, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';
import { cliTimings } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(program.command('restore').description('restore a backup made by ddlgate backup (pg_restore --clean, or psql for plain SQL), in one transaction'))
    .option('--restore <file>', 'the backup file to restore')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        if (!options.restore) throw new InputError('restore: pass the backup file with --restore <file>');
        const result = await runRestore({
          databaseUrl: requireDatabaseUrl(common),
          schema: common.schema,
          file: options.restore,
          lockWaitMs: cliTimings(options, common.config).lockWaitMs,
          log: note,
        });
        if (common.format === 'json') printJson(result);
        else print(`Restored ${result.file} (${result.kind} format, ${result.tool}, ${Math.round(result.durationMs)} ms).`);
        return 0;
      }),
    );
}
