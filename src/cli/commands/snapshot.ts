import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { serializeSnapshot } from '../../impact/snapshot.js';
import { takeSnapshot } from '../../ops/snapshot.js';
import { action, note, requireDatabaseUrl, resolveCommon } from '../common.js';

export function register(program: Command): void {
  program
    .command('snapshot')
    .description("write the database's statistics (sizes, row estimates, columns, indexes, constraints, activity counters, schema fingerprint) as JSON — never row data")
    .option('--out <file>', 'write the snapshot to this file instead of stdout')
    .option('--redact', 'replace every identifier (schema, table, column, index, constraint, type names) by a stable hash; keyed with $DDLGATE_REDACT_KEY when set')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else $POSTGRES_URL)')
    .option('--schema <name>', 'schema of the tracking tables, left out of the snapshot (default: "ddlgate")')
    .option('--config <file>', 'configuration file (default: ddlgate.json when present)')
    .action(
      action(async (options: Record<string, any>) => {
        const common = resolveCommon(options);
        if (options.out !== undefined && (typeof options.out !== 'string' || options.out.trim() === '')) throw new InputError('--out: a file name is required');
        const redactKey = process.env.DDLGATE_REDACT_KEY || undefined;
        const snapshot = await takeSnapshot(requireDatabaseUrl(common), { schema: common.schema, redact: options.redact === true, ...(redactKey ? { redactKey } : {}) });
        const text = serializeSnapshot(snapshot);
        if (!options.out) {
          process.stdout.write(text);
          return 0;
        }
        try {
          writeFileSync(options.out, text);
        } catch (error) {
          throw new InputError(`--out ${options.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        note(`snapshot of ${Object.keys(snapshot.tables).length} table(s) written to ${options.out}${snapshot.redacted ? ' (identifiers redacted)' : ''}`);
        return 0;
      }),
    );
}
