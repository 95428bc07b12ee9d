import { Command, Option } from 'commander';
import { durationToMs } from '../config.js';
import { DEFAULT_INDEX_TIMEOUT, DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_TIMEOUT } from '../db/lock-policy.js';
import type { RunnerSettings } from '../db/up.js';
import { parseIntegerOption, requireDatabaseUrl, resolveCommon, note, type CommonOptions } from './common.js';

/** Options of every command that runs migrations against a database. */
export function withRunnerOptions(command: Command): Command {
  return command
    .option('--lock-timeout <duration>', `longest lock_timeout of one attempt: attempts start at 100ms and double up to it (default ${DEFAULT_LOCK_TIMEOUT}, or lockTimeout in ddlgate.json)`)
    .option('--statement-timeout <duration>', 'statement_timeout for each statement (default 15min)')
    .option('--lock-wait <duration>', 'how long to wait for another ddlgate run to finish (default 60s)')
    .option('--lock-retries <n>', `retries with jittered backoff when a statement hits lock_timeout (default ${DEFAULT_LOCK_RETRIES})`, parseIntegerOption('--lock-retries'))
    .option('--index-timeout <duration>', `statement_timeout of concurrent index builds, which run without lock_timeout (default ${DEFAULT_INDEX_TIMEOUT})`)
    .addOption(new Option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV)'));
}

/** `databaseOptional`: the command can run without a database (dry-run on a throwaway server); databaseUrl is then ''. */
export function resolveRunner(options: Record<string, any>, { databaseOptional = false }: { databaseOptional?: boolean } = {}): { common: CommonOptions; settings: RunnerSettings } {
  const common = resolveCommon(options);
  const { config } = common;
  const settings: RunnerSettings = {
    databaseUrl: databaseOptional ? (common.databaseUrl ?? '') : requireDatabaseUrl(common),
    dir: common.dir,
    schema: common.schema,
    lockTimeoutMs: durationToMs(options.lockTimeout ?? config.lockTimeout ?? DEFAULT_LOCK_TIMEOUT, '--lock-timeout'),
    indexTimeoutMs: durationToMs(options.indexTimeout ?? DEFAULT_INDEX_TIMEOUT, '--index-timeout'),
    statementTimeoutMs: durationToMs(options.statementTimeout ?? config.statementTimeout ?? '15min', '--statement-timeout'),
    lockWaitMs: durationToMs(options.lockWait ?? '60s', '--lock-wait'),
    lockRetries: options.lockRetries ?? config.lockRetries ?? DEFAULT_LOCK_RETRIES,
    environment: options.environment ?? null,
    log: note,
    ...(common.layout ? { layout: common.layout } : {}),
    ...(common.placeholders ? { placeholders: common.placeholders } : {}),
  };
  return { common, settings };
}
