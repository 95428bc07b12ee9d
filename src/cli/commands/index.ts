import type { Command } from 'commander';

interface CommandModule {
  register(program: Command): void;
}

/**
 * Every CLI command lives in its own module under src/cli/commands/ and exports `register(program)`;
 * this list fixes their order in `ddlgate --help`.
 */
const COMMANDS: Array<[name: string, load: () => Promise<CommandModule>]> = [
  ['lint', () => import('./lint.js')],
  ['format', () => import('./format.js')],
  ['dry-run', () => import('./dry-run.js')],
  ['up', () => import('./up.js')],
  ['down', () => import('./down.js')],
  ['status', () => import('./status.js')],
  ['verify', () => import('./verify.js')],
  ['seed', () => import('./seed.js')],
  ['schema-dump', () => import('./schema-dump.js')],
  ['backup', () => import('./backup.js')],
  ['restore', () => import('./restore.js')],
  ['baseline', () => import('./baseline.js')],
  ['adopt', () => import('./adopt.js')],
  ['repair', () => import('./repair.js')],
  ['label', () => import('./label.js')],
  ['init', () => import('./init.js')],
  ['new', () => import('./new.js')],
  ['serve', () => import('./serve.js')],
  ['snapshot', () => import('./snapshot.js')],
];

export const COMMAND_NAMES = COMMANDS.map(([name]) => name);

/**
 * Registers the command being run, and only it: `ddlgate lint` then never loads pg, the HTTP server or
 * the pg_dump helpers, which is most of a short command's start-up. Help, `help <command>` and unknown
 * commands register them all, so listings and "did you mean" suggestions stay complete.
 */
export async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const requested = argv.find((arg) => !arg.startsWith('-'));
  if (requested === undefined && (argv.includes('--version') || argv.includes('-V'))) return;
  const only = COMMANDS.filter(([name]) => name === requested);
  for (const [, load] of only.length > 0 ? only : COMMANDS) (await load()).register(program);
}
