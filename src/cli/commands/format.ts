import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { isDirectoryOrFile, sqlFilesIn } from '../../lint/index.js';
import { displayPath } from '../../migrations/discover.js';
import { action, note, print, printJson, resolveCommon, withCommonOptions } from '../common.js';

interface FileOutcome {
  path: string;
  status: 'unchanged' | 'formatted' | 'would-format' | 'refused';
  reason?: string;
}

export function register(program: Command): void {
  const command = program
    .command('format')
    .description('format SQL migrations with sql-formatter (PostgreSQL dialect); refuses any change that would alter the parse tree')
    .argument('[paths...]', 'files or directories to format (required unless --check: formatting an applied migration changes its checksum)')
    .option('--check', 'only report files that are not formatted (exit 1 if any)');
  withCommonOptions(command, { database: false });
  command.action(
    action(async (paths: string[], options: Record<string, any>) => {
      const common = resolveCommon(options);
      const check = options.check === true;
      if (paths.length === 0 && !check) {
        throw new InputError('format: name the files to format (e.g. the new migration); formatting an already-applied migration changes its checksum. Use --check to check the whole migrations directory');
      }
      const files = expand(paths.length > 0 ? paths : [common.dir]);
      // sql-formatter is loaded only here, so it costs nothing to the start-up of every other command.
      const { formatMigrationSql } = await import('../../lint/format.js');
      const outcomes: FileOutcome[] = [];
      for (const file of files) {
        const buffer = readFileSync(file);
        const text = buffer.toString('utf8');
        const path = displayPath(file);
        if (buffer.includes(0) || !Buffer.from(text, 'utf8').equals(buffer)) {
          outcomes.push({ path, status: 'refused', reason: 'not a UTF-8 text file' });
          continue;
        }
        const result = formatMigrationSql(text);
        if (!result.ok) outcomes.push({ path, status: 'refused', reason: result.reason });
        else if (result.formatted === text) outcomes.push({ path, status: 'unchanged' });
        else if (check) outcomes.push({ path, status: 'would-format' });
        else {
          writeFileSync(file, result.formatted);
          outcomes.push({ path, status: 'formatted' });
        }
      }
      if (common.format === 'json') printJson({ files: outcomes });
      else print(renderOutcomes(outcomes, check, common.format === 'markdown'));
      const failed = outcomes.some((outcome) => outcome.status === 'refused' || outcome.status === 'would-format');
      if (!check && outcomes.some((outcome) => outcome.status === 'formatted')) note('note: formatted files have a new checksum; never reformat a migration that has already been applied');
      return failed ? 1 : 0;
    }),
  );
}

function expand(paths: string[]): string[] {
  const files: string[] = [];
  for (const target of paths) files.push(...(isDirectoryOrFile(target) === 'directory' ? sqlFilesIn(target) : [target]));
  return files;
}

function renderOutcomes(outcomes: FileOutcome[], check: boolean, markdown: boolean): string {
  const lines = outcomes
    .filter((outcome) => outcome.status !== 'unchanged')
    .map((outcome) => {
      const text = outcome.status === 'refused' ? `${outcome.path}: not formatted: ${outcome.reason}` : `${outcome.path}: ${outcome.status === 'formatted' ? 'formatted' : 'not formatted'}`;
      return markdown ? `- ${text}` : text;
    });
  const unchanged = outcomes.filter((outcome) => outcome.status === 'unchanged').length;
  lines.push(`${outcomes.length} file${outcomes.length === 1 ? '' : 's'} checked, ${unchanged} already formatted`);
  return lines.join('\n');
}
