import type { Command } from 'commander';
import { displayPath } from '../../migrations/discover.js';
import { compareSchemaFile, dumpSchema, writeSchemaFile } from '../../ops/schema-dump.js';
import { action, print, printJson, requireDatabaseUrl, resolveCommon, withCommonOptions } from '../common.js';

export function register(program: Command): void {
  withCommonOptions(program.command('schema-dump').description('write the schema (pg_dump --schema-only, deterministic) and the applied versions to a file; --check detects drift'))
    .option('--output <file>', 'schema file ("-" for stdout)', 'db/schema.sql')
    .option('--check', 'do not write: exit 1 with a diff when the file differs from the database')
    .action(
      action(async (options) => {
        const common = resolveCommon(options);
        const text = await dumpSchema(requireDatabaseUrl(common), common.schema);
        const file: string = options.output;
        if (options.check) {
          if (file === '-') {
            print(text);
            return 0;
          }
          const check = compareSchemaFile(file, text);
          if (common.format === 'json') printJson({ file, upToDate: check.upToDate, missing: check.missing, diff: check.diff });
          else if (check.missing) print(`${displayPath(file)} does not exist; run ddlgate schema-dump --output ${file} and commit it.`);
          else if (check.upToDate) print(`${displayPath(file)} is up to date.`);
          else print(`${check.diff}\n${displayPath(file)} is out of date: run ddlgate schema-dump --output ${file} and commit the result.`);
          return check.upToDate ? 0 : 1;
        }
        if (file === '-') {
          process.stdout.write(text);
          return 0;
        }
        writeSchemaFile(file, text);
        if (common.format === 'json') printJson({ file, bytes: Buffer.byteLength(text) });
        else print(`Schema written to ${displayPath(file)}.`);
        return 0;
      }),
    );
}
