import { Command, Option } from 'commander';
import { durationToMs } from '../config.js';
import type { RunnerSettings } from '../db/up.js';
import { parseIntegerOption, requireDatabaseUrl, resolveCommon, note, type CommonOptions } from './common.js';

/** Options of every command that runs migrations against a database. */
export function withRunnerOptions(command: Command): Command {
  return command
    .option('--lock-timeout <duration>', 'lock_timeout for each statement (default 5s, or lockTimeout in ddlgate.json)')
    .option('--statement-timeout <duration>', 'statement_timeout for each statement (default 15min)')
    .option('--lock-wait <duration>', 'how long to wait for another ddlgate run to finish (default 60s)')
    .option('--lock-retries <n>', 'retries with backoff when a statement hits lock_timeout (default 3)', parseIntegerOption('--lock-retries'))
    .addOption(new Option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV, else $NODE_ENV)'));
}

/** `databaseOptional`: the command can run without a database (dry-run on a throwaway server); databaseUrl is then ''. */
export function resolveRunner(options: Record<string, any>, { databaseOptional = false }: { databaseOptional?: boolean } = {}): { common: CommonOptions; settings: RunnerSettings } {
  const common = resolveCommon(options);
  const { config } = common;
  const settings: RunnerSettings = {
    databaseUrl: databaseOptional ? (common.databaseUrl ?? '') : requireDatabaseUrl(common),
    dir: common.dir,
    schema: common.schema,
    lockTimeoutMs: durationToMs(options.lockTimeout ?? config.lockTimeout ?? '5s', '--lock-timeout'),
    statementTimeoutMs: durationToMs(options.statementTimeout ?? config.statementTimeout ?? '15min', '--statement-timeout'),
    lockWaitMs: durationToMs(options.lockWait ?? '60s', '--lock-wait'),
    lockRetries: options.lockRetries ?? config.lockRetries ?? 3,
    environment: options.environment ?? null,
    log: note,
    ...(common.layout ? { layout: common.layout } : {}),
  };
  return { common, settings };
}
