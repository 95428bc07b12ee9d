import type { Command } from 'commander';
import * as dryRun from './dry-run.js';
import * as down from './down.js';
import * as format from './format.js';
import * as lint from './lint.js';
import * as serve from './serve.js';
import * as status from './status.js';
import * as up from './up.js';
import * as verify from './verify.js';
import * as seed from './seed.js';
import * as schemaDump from './schema-dump.js';
import * as backup from './backup.js';
import * as restore from './restore.js';
import * as baseline from './baseline.js';
import * as adopt from './adopt.js';
import * as repair from './repair.js';
import * as newMigration from './new.js';

/**
 * Every CLI command lives in its own module under src/cli/commands/ and exports
 * `register(program)`; this list fixes their order in `pgsafe --help`.
 */
const modules: Array<{ register(program: Command): void }> = [lint, format, dryRun, up, down, status, verify, seed, schemaDump, backup, restore, baseline, adopt, repair, newMigration, serve];

export function registerCommands(program: Command): void {
  for (const module of modules) module.register(program);
}
