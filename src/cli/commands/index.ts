import type { Command } from 'commander';
import * as dryRun from './dry-run.js';
import * as down from './down.js';
import * as status from './status.js';
import * as up from './up.js';

/**
 * Every CLI command lives in its own module under src/cli/commands/ and exports
 * `register(program)`; this list fixes their order in `pgsafe --help`.
 */
const modules: Array<{ register(program: Command): void }> = [dryRun, up, down, status];

export function registerCommands(program: Command): void {
  for (const module of modules) module.register(program);
}
