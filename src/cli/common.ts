import { Command, Option } from 'commander';
import { describePgError, isConnectionLost } from '../db/execute.js';
import { loadConfig, type DdlgateConfig } from '../config.js';
import { InputError, DdlgateError } from '../errors.js';
import { layoutLine, readMigrationSet, type MigrationSet } from '../migrations/discover.js';
import { LAYOUT_NAMES, parseLayoutName } from '../migrations/layouts/index.js';
import { parsePlaceholderAssignments } from '../migrations/placeholders.js';
import type { LayoutName } from '../migrations/types.js';
import { scrubSecrets } from '../secrets.js';

export type OutputFormat = 'text' | 'json' | 'markdown' | 'sarif';

export interface CommonOptions {
  dir: string;
  databaseUrl?: string;
  schema: string;
  format: OutputFormat;
  config: DdlgateConfig;
  configPath?: string;
  /** --layout: read the migrations directory as this layout instead of detecting it. */
  layout?: LayoutName;
  /** Flyway placeholder values: ddlgate.json `placeholders`, overridden by --placeholder. */
  placeholders?: Record<string, string>;
}

/** The options every command shares (DESIGN.md: --dir, --database-url, --schema, --format, --config). */
export function withCommonOptions(command: Command, { database = true, sarif = false }: { database?: boolean; sarif?: boolean } = {}): Command {
  command
    .option('--dir <path>', 'migrations directory (default: "migrations", or migrationsDir in ddlgate.json)')
    .option('--schema <name>', 'schema of the tracking tables (default: "ddlgate")')
    .addOption(new Option('--format <format>', 'output format').choices(sarif ? ['text', 'json', 'markdown', 'sarif'] : ['text', 'json', 'markdown']).default('text'))
    .option('--config <file>', 'configuration file (default: ddlgate.json when present)')
    .option('--layout <layout>', `migrations layout: auto (default: detected from the files), ${LAYOUT_NAMES.join(', ')}`)
    .option('--placeholder <name=value>', 'value of a Flyway ${name} placeholder (repeatable; wins over ddlgate.json, FLYWAY_PLACEHOLDERS_*, flyway.conf)', (value: string, all: string[]) => [...all, value], []);
  if (database) command.option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else $POSTGRES_URL)');
  return command;
}

export function resolveCommon(options: Record<string, any>): CommonOptions {
  const config = loadConfig(options.config);
  const schema = options.schema ?? config.schema ?? 'ddlgate';
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new InputError(`--schema: "${schema}" is not a plain identifier`);
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? process.env.POSTGRES_URL;
  const layout = parseLayoutName(options.layout);
  const placeholders = { ...config.placeholders, ...parsePlaceholderAssignments(options.placeholder ?? [], '--placeholder') };
  return {
    dir: options.dir ?? config.migrationsDir ?? 'migrations',
    ...(databaseUrl ? { databaseUrl } : {}),
    schema,
    format: options.format ?? 'text',
    config,
    ...(options.config ? { configPath: options.config } : {}),
    ...(layout ? { layout } : {}),
    ...(Object.keys(placeholders).length ? { placeholders } : {}),
  };
}

/**
 * Reads the migrations directory once for the whole command (every step gets this set), and tells on
 * stderr what the layout's tool would skip. Text output starts with layoutLine(set).
 */
export function readSet(common: Pick<CommonOptions, 'dir' | 'layout' | 'format' | 'placeholders'>): MigrationSet {
  const set = readMigrationSet(common.dir, { layout: common.layout, placeholders: common.placeholders });
  for (const notice of set.notices) note(`ddlgate: ${notice}`);
  // First, so that it leads the output even when the command then fails.
  if (common.format === 'text') print(layoutLine(set));
  return set;
}

/** JSON output names the layout it read at the top level (DESIGN.md). */
export function withLayout<T extends object>(set: MigrationSet | undefined, json: T): T | ({ layout: string } & T) {
  return set ? { layout: set.layout, ...json } : json;
}

export function requireDatabaseUrl(common: CommonOptions): string {
  if (!common.databaseUrl) throw new InputError('no database: pass --database-url or set DATABASE_URL (or POSTGRES_URL)');
  return common.databaseUrl;
}

export function parseIntegerOption(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InputError(`${name}: "${value}" must be a whole number ≥ ${min}`);
    return Number(value);
  };
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(data: unknown): void {
  print(JSON.stringify(data, null, 2));
}

/** Informational lines go to stderr so that stdout stays machine-readable with --format json. */
export function note(text: string): void {
  process.stderr.write(`${scrubSecrets(text)}\n`);
}

/**
 * Runs a command body and turns every failure into one readable line and an exit code:
 * never a stack trace (unless DDLGATE_DEBUG=1), never a password.
 */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await body(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      reportFailure(error);
    }
  };
}

export function reportFailure(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = scrubSecrets(message).split('\n')[0];
  if (error instanceof DdlgateError) {
    process.stderr.write(`ddlgate: ${firstLine}\n`);
    process.exitCode = error.exitCode;
  } else if (isConnectionLost(error)) {
    process.stderr.write(`ddlgate: ${describePgError(error)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`ddlgate: unexpected error: ${firstLine}\n`);
    process.exitCode = 1;
  }
  if (process.env.DDLGATE_DEBUG === '1' && error instanceof Error && error.stack) process.stderr.write(`${scrubSecrets(error.stack)}\n`);
}
