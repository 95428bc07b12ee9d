import { Command, Option } from 'commander';
import type { DdlgateConfig } from '../config.js';
import { resolveRunnerTimings, RUNNER_DEFAULTS, type Knob, type RunnerPurpose, type RunnerTimings } from '../core/settings.js';
import type { RunnerSettings } from '../db/up.js';
import { parseIntegerOption, requireDatabaseUrl, resolveCommon, note, type CommonOptions } from './common.js';

const DEFAULTS = RUNNER_DEFAULTS.migrations;
const flagOf = (knob: Knob) => `--${knob.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The runner's timings from this command's flags, the environment, ddlgate.json and the defaults
 * (src/core/settings.ts: the one place the action resolves them too).
 */
export function cliTimings(options: Record<string, any>, config: DdlgateConfig, purpose?: RunnerPurpose, env: Record<string, string | undefined> = process.env): RunnerTimings {
  const given = { lockTimeout: options.lockTimeout, statementTimeout: options.statementTimeout, lockWait: options.lockWait, lockRetries: options.lockRetries, indexTimeout: options.indexTimeout };
  return resolveRunnerTimings({ config, env, given, label: flagOf, ...(purpose ? { purpose } : {}) });
}

/** Options of every command that runs migrations against a database. */
export function withRunnerOptions(command: Command): Command {
  return command
    .option('--lock-timeout <duration>', `longest lock_timeout of one attempt: attempts start at 100ms and double up to it (default ${DEFAULTS.lockTimeout}; else $DDLGATE_LOCK_TIMEOUT, else lockTimeout in ddlgate.json)`)
    .option('--statement-timeout <duration>', `statement_timeout for each statement (default ${DEFAULTS.statementTimeout}; else $DDLGATE_STATEMENT_TIMEOUT, else statementTimeout in ddlgate.json)`)
    .option('--lock-wait <duration>', `how long to wait for another ddlgate run to finish (default ${DEFAULTS.lockWait}; else $DDLGATE_LOCK_WAIT, else lockWait in ddlgate.json)`)
    .option('--lock-retries <n>', `retries with jittered backoff when a statement hits lock_timeout (default ${DEFAULTS.lockRetries}; else $DDLGATE_LOCK_RETRIES, else lockRetries in ddlgate.json)`, parseIntegerOption('--lock-retries'))
    .option('--index-timeout <duration>', `statement_timeout of concurrent index builds, which run without lock_timeout (default ${DEFAULTS.indexTimeout}; else $DDLGATE_INDEX_TIMEOUT, else indexTimeout in ddlgate.json)`)
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
    ...cliTimings(options, config),
    environment: options.environment ?? null,
    log: note,
    ...(common.layout ? { layout: common.layout } : {}),
    ...(common.placeholders ? { placeholders: common.placeholders } : {}),
  };
  return { common, settings };
}
