import type { Command } from 'commander';
import { defaultBackupPath, runBackup } from '../../ops/backup.js';
import { formatBytes } from '../../units.js';
import { action, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';
import { cliTimings } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(program.command('backup').description('pg_dump the database (custom format, or plain SQL for a .sql file); recorded in the history'))
    .option('--backup-path <file>', 'where to write the backup (.sql: plain SQL, .tar: tar, else custom format; default backups/<db>-<time>.dump)')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const databaseUrl = requireDatabaseUrl(common);
        const result = await runBackup({
          databaseUrl,
          schema: common.schema,
          file: options.backupPath ?? defaultBackupPath(databaseUrl),
          lockWaitMs: cliTimings(options, common.config).lockWaitMs,
          environment: options.environment ?? null,
          // The summary below says the same; the session's own log line would repeat it.
          log: () => {},
        });
        if (common.format === 'json') printJson(result);
        else print(`Backup written to ${result.path} (${result.format} format, ${formatBytes(result.sizeBytes)}, ${Math.round(result.durationMs)} ms, pg_dump ${result.pgDump}).`);
        return 0;
      }),
    );
}
