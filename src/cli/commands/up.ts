import type { Command } from 'commander';
import { InputError, OperationError } from '../../errors.js';
import { applyPending, BackupFailed } from '../../core/apply.js';
import { currentEnvironment } from '../../db/session.js';
import { MigrationFailed, type UpResult } from '../../db/up.js';
import { defaultBackupPath } from '../../ops/backup.js';
import { action, note, parseIntegerOption, print, printJson, readSet, withCommonOptions, withLayout } from '../common.js';
import { publishRunMetrics, withMetricsOptions } from '../metrics-options.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withMetricsOptions(withRunnerOptions(withCommonOptions(program.command('up').description('apply pending migrations in order, each in its own transaction'))))
    .option('--to <version>', 'stop after this version')
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one')
    .option('--single-transaction', 'apply all pending migrations in one transaction')
    .option('--backup-path <file>', 'pg_dump the database to this file before applying (.sql: plain SQL, else custom format); default in production: backups/<db>-<time>.dump')
    .option('--no-backup', 'skip the backup that production applies take by default (recorded in the history)')
    .option('--index-retries <n>', 'retries of a concurrent index build after a transient failure, once its INVALID index is dropped (default 2)', parseIntegerOption('--index-retries'))
    .option('--fail-on-drift', 'refuse to apply when the live schema differs from the one recorded by the last migration (default: a warning)')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options);
        if (options.backup === false && options.backupPath) throw new InputError('--backup-path and --no-backup contradict each other; pass one of them');
        settings.set = readSet(common);
        const environment = currentEnvironment(settings.environment);
        // Production applies take a backup by default (the environment is known before any connection).
        const file: string | undefined = options.backupPath ?? (environment === 'production' ? defaultBackupPath(settings.databaseUrl) : undefined);
        let result: UpResult;
        try {
          result = await applyPending({
            ...settings,
            to: options.to,
            allowOutOfOrder: options.allowOutOfOrder,
            singleTransaction: options.singleTransaction,
            ...(options.indexRetries !== undefined ? { indexRetries: options.indexRetries } : {}),
            failOnDrift: Boolean(options.failOnDrift),
            ...(options.backup === false ? { backup: { skipped: '--no-backup' } } : file ? { backup: { file } } : {}),
          });
        } catch (error) {
          if (error instanceof BackupFailed) throw new OperationError(`${error.message} (pass --no-backup to apply without one)`);
          const failed = error instanceof MigrationFailed ? error.result : undefined;
          await publishRunMetrics(options, environment, 'up', failed?.applied ?? [], failed?.failed ?? null, false);
          if (error instanceof MigrationFailed && common.format === 'json') {
            printJson(withLayout(settings.set, error.result));
            note(`ddlgate: ${error.message}`);
            return 1;
          }
          throw error;
        }
        await publishRunMetrics(options, environment, 'up', result.applied, null, true);
        if (common.format === 'json') printJson(withLayout(settings.set, result));
        else if (result.applied.length === 0) print('Nothing to apply: the database is up to date.');
        else print(`Applied ${result.applied.length} migration(s) in batch ${result.batch}.`);
        return 0;
      }),
    );
}
