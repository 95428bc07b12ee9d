import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { displayPath } from '../../migrations/discover.js';
import { parseIndexArgument, type IndexSpec } from '../../ops/index-helper.js';
import { createMigration } from '../../ops/new-migration.js';
import { action, print, printJson, resolveCommon, withCommonOptions } from '../common.js';

export function register(program: Command): void {
  withCommonOptions(program.command('new').description('write <timestamp>_<name>.up.sql and .down.sql with a header; --index writes an index migration').argument('<name>', 'what the migration does, e.g. add_users_email_index'), { database: false })
    .option('--index <table(columns)>', 'create an index, e.g. "users(email)" or "orders(tenant_id, created_at DESC)"')
    .option('--where <predicate>', 'partial index predicate, e.g. "deleted_at IS NULL"')
    .option('--unique', 'a unique index')
    .option('--include <columns>', 'covering columns, comma-separated')
    .option('--using <method>', 'index method: btree (default), hash, gin, gist, spgist, brin')
    .option('--index-name <name>', 'index name (default <table>_<columns>_idx, or _key when unique)')
    .option('--concurrent', 'CREATE INDEX CONCURRENTLY (default when INDEX_CONCURRENT=1)')
    .option('--no-concurrent', 'a plain CREATE INDEX, inside a transaction')
    .action(
      action(async (name: string, options) => {
        const common = resolveCommon(options);
        const indexOnly = ['where', 'unique', 'include', 'using', 'indexName'].filter((key) => options[key] !== undefined);
        if (!options.index && indexOnly.length) throw new InputError(`--${indexOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --index table(columns)`);
        let index: IndexSpec | undefined;
        if (options.index) {
          const { table, columns } = parseIndexArgument(options.index);
          index = {
            table,
            columns,
            ...(options.where ? { where: options.where } : {}),
            ...(options.unique ? { unique: true } : {}),
            ...(options.include ? { include: String(options.include).split(',').map((c) => c.trim()).filter(Boolean) } : {}),
            ...(options.using ? { method: options.using } : {}),
            ...(options.indexName ? { name: options.indexName } : {}),
            ...(options.concurrent !== undefined ? { concurrent: Boolean(options.concurrent) } : {}),
          };
        }
        const created = await createMigration({ dir: common.dir, name, ...(index ? { index } : {}) });
        if (common.format === 'json') printJson(created);
        else print(`Created ${displayPath(created.upPath)}\nCreated ${displayPath(created.downPath)}`);
        return 0;
      }),
    );
}
