import type { Command } from 'commander';
import { checkDrift, describeDrift } from '../../db/drift.js';
import { getStatus, statusJson } from '../../db/status-query.js';
import { renderStatusText } from '../../report/status-text.js';
import { action, print, printJson, readSet, requireDatabaseUrl, resolveCommon, withCommonOptions, withLayout } from '../common.js';
import { resolveRunner } from '../runner-options.js';

export function register(program: Command): void {
  withCommonOptions(program.command('status').description('show every migration: applied, pending, failed, modified (file changed) or missing (file gone)'))
    .option('--drift', 'also compare the live schema with the fingerprint recorded by the last migration, listing differing objects from a replay on a throwaway server (exit 1 on drift)')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const databaseUrl = requireDatabaseUrl(common);
        const set = readSet(common);
        const items = await getStatus({ databaseUrl, dir: common.dir, schema: common.schema, layout: common.layout, set });
        const drift = options.drift ? await checkDrift({ ...resolveRunner(options).settings, set }) : undefined;
        if (common.format === 'json') printJson(withLayout(set, drift ? { ...statusJson(items), drift } : statusJson(items)));
        else print(drift ? `${renderStatusText(items)}\n\n${describeDrift(drift).join('\n')}` : renderStatusText(items));
        return drift?.state === 'drift' ? 1 : 0;
      }),
    );
}
