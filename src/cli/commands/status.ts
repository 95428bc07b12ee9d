import type { Command } from 'commander';
import { closeQuietly, connect } from '../../db/connection.js';
import { withChecksums } from '../../db/plan.js';
import { computeStatus } from '../../db/status.js';
import { readAppliedRows, readLastFailures } from '../../db/tracking.js';
import { discoverMigrations } from '../../migrations/discover.js';
import { renderStatusText } from '../../report/status-text.js';
import { action, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';

export function register(program: Command): void {
  withCommonOptions(program.command('status').description('show every migration: applied, pending, failed, modified (file changed) or missing (file gone)'))
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const files = withChecksums(discoverMigrations(common.dir));
        const client = await connect(requireDatabaseUrl(common));
        try {
          const items = computeStatus(files, await readAppliedRows(client, common.schema), await readLastFailures(client, common.schema));
          if (common.format === 'json') printJson({ migrations: items.map((item) => ({ version: item.version, name: item.name, state: item.state, appliedAt: item.appliedAt, checksum: item.checksum })) });
          else print(renderStatusText(items));
          return 0;
        } finally {
          await closeQuietly(client);
        }
      }),
    );
}
