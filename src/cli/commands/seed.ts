import type { Command } from 'commander';
import { runSeeds } from '../../ops/seeds.js';
import { action, note, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';
import { cliTimings } from '../runner-options.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  withCommonOptions(program.command('seed').description('run the *.sql seeds in name order, each once, in a transaction (recorded in seed_history)'))
    .option('--seeds-dir <path>', 'seeds directory (default "seeds", or seedsDir in ddlgate.json)')
    .option('--reseed <name>', 'run this already-run seed again, e.g. after editing it (repeatable)', collect)
    .option('--dry-run', 'run each seed and roll it back: nothing is kept')
    .option('--lock-timeout <duration>', 'lock_timeout for each statement (default 5s, or lockTimeout in ddlgate.json)')
    .option('--statement-timeout <duration>', 'statement_timeout for each statement (default 15min)')
    .option('--lock-wait <duration>', 'how long to wait for a running migration to finish (default 60s)')
    .option('--environment <name>', 'environment recorded in the history (default $DDLGATE_ENV)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const { config } = common;
        const timings = cliTimings(options, config, 'seeds');
        const outcomes = await runSeeds({
          databaseUrl: requireDatabaseUrl(common),
          schema: common.schema,
          seedsDir: options.seedsDir ?? config.seedsDir ?? 'seeds',
          reseed: options.reseed ?? [],
          dryRun: Boolean(options.dryRun),
          lockWaitMs: timings.lockWaitMs,
          lockTimeoutMs: timings.lockTimeoutMs,
          statementTimeoutMs: timings.statementTimeoutMs,
          environment: options.environment ?? null,
          log: note,
        });
        if (common.format === 'json') {
          printJson({ dryRun: Boolean(options.dryRun), seeds: outcomes.map((o) => ({ name: o.name, state: o.state, checksum: o.checksum, durationMs: Math.round(o.durationMs) })) });
          return 0;
        }
        if (outcomes.length === 0) print('No seed files.');
        for (const outcome of outcomes) print(`${outcome.state.padEnd(12)} ${outcome.name}${outcome.state === 'skipped' ? ' (already run, unchanged)' : ` (${Math.round(outcome.durationMs)} ms)`}`);
        return 0;
      }),
    );
}
