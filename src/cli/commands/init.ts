import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { writeCallerWorkflows } from '../../ops/init-workflows.js';
import { action, note, print, printJson } from '../common.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('set up a repository: --workflows writes the check and deploy callers into .github/workflows/, pinned by SHA')
    .option('--workflows', 'write the caller workflows (pull request check, staging and production deploys)')
    .option('--dir <path>', 'migrations directory the workflows use (default: "migrations")')
    .option('--force', 'overwrite workflow files that exist already')
    .option('--format <format>', 'output format: text or json', 'text')
    .action(
      action(async (options) => {
        if (!options.workflows) throw new InputError('init: nothing to do; pass --workflows to write the caller workflows into .github/workflows/');
        const result = writeCallerWorkflows(process.cwd(), options.dir ?? 'migrations', Boolean(options.force));
        if (options.format === 'json') printJson(result);
        else {
          for (const file of result.written) print(`wrote ${file}`);
          for (const file of result.skipped) note(`kept ${file} (exists; --force overwrites it)`);
          print('Next: create the environments and their DATABASE_URL secrets, label the databases (docs/workflows.md, "Set-up"), then commit .github/workflows/.');
        }
        return 0;
      }),
    );
}
