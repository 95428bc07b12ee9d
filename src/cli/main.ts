import { Command, CommanderError } from 'commander';
import { loadParser } from '../sql/parser.js';
import { reportFailure } from './common.js';
import { registerCommands } from './commands/index.js';

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('ddlgate')
    .description('Safe PostgreSQL schema migrations: lint, dry-run with lock trace, apply, rollback.')
    .version(DDLGATE_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  await registerCommands(program, argv);
  for (const command of program.commands) command.exitOverride();
  return program;
}

declare const DDLGATE_VERSION_INJECTED: string | undefined;
const DDLGATE_VERSION = typeof DDLGATE_VERSION_INJECTED === 'string' ? DDLGATE_VERSION_INJECTED : '0.1.0';

export async function main(argv: string[]): Promise<number> {
  await loadParser();
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are successes; everything else commander rejects is bad usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    reportFailure(error);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
