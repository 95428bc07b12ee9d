import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readMigrationSet, type MigrationSet } from '../../migrations/discover.js';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config.js';
import { InputError } from '../../errors.js';
import { readSnapshotFile } from '../../impact/snapshot.js';
import { impactSettings, lintWithSnapshot } from '../../impact/with-snapshot.js';
import { connect } from '../../db/connection.js';
import { readAppliedRows } from '../../db/tracking.js';
import { hasBlockingFindings, isDirectoryOrFile, lintAgainstCatalog, lintFiles, lintMigrationsDir, loadCatalogSchema, resolveLintSettings, RULES, type LintResult, type LintSettings } from '../../lint/index.js';
import { renderLintSarif } from '../../report/sarif.js';
import { diffLines, planFixes } from '../../lint/fix.js';
import type { LayoutName } from '../../migrations/types.js';
import { renderLintMarkdown } from '../../report/lint-markdown.js';
import { renderLintText } from '../../report/lint-text.js';
import { action, note, print, printJson, readSet, resolveCommon, withCommonOptions, withLayout, type CommonOptions } from '../common.js';

export function register(program: Command): void {
  const command = program
    .command('lint')
    .description('check migrations for dangerous operations (locks, rewrites, breaking changes) without a database')
    .argument('[paths...]', 'files (each linted as one migration, whatever its name) or directories; default: the migrations directory')
    .option('--allow-breaking', 'report breaking changes as warnings instead of blocking (same as ALLOW_BREAKING_MIGRATIONS=true)')
    .option('--pg-version <major>', 'target PostgreSQL major version (default: pgVersion in ddlgate.json, else 15)')
    .option('--database-url <url>', 'judge pending migrations against this database\'s catalog (read-only; migrations it has applied are judged from the directory\'s history)')
    .option('--fix', 'rewrite what is mechanically fixable (CREATE/DROP INDEX and REINDEX → CONCURRENTLY with the no-transaction directive; FOREIGN KEY/CHECK → NOT VALID, ADD UNIQUE → CREATE UNIQUE INDEX CONCURRENTLY, SET NOT NULL → CHECK … NOT VALID, each completed by a new migration) and print what changed')
    .option('--dry', 'with --fix: print the diff and the new files, change nothing')
    .option('--stats <file>', 'production statistics snapshot (ddlgate snapshot): each finding gets its table\'s size and an estimated lock duration; findings on small tables become info');
  withCommonOptions(command, { database: false, sarif: true });
  command.action(
    action(async (paths: string[], options: Record<string, any>) => {
      const common = resolveCommon(options);
      const configPath = common.configPath ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
      const settings = resolveLintSettings(common.config, { allowBreaking: options.allowBreaking === true, ...(configPath ? { configPath } : {}) });
      if (options.pgVersion !== undefined) settings.pgVersion = parsePgVersion(options.pgVersion);
      // Files named on the command line are linted as their directory's layout reads them (a dbmate file's
      // up section as up, its down section as down) when they belong to the migrations directory.
      const set = paths.length === 0 ? readSet(common) : setOfNamedFiles(common, paths);
      const layout = common.layout ? { layout: common.layout } : {};
      // One lint, the same way before and after --fix (against the database's catalog when one is given).
      const lint = async (read: MigrationSet | undefined): Promise<LintResult> => {
        const reading = { ...layout, ...(read ? { set: read } : {}) };
        if (options.databaseUrl) return lintWithDatabase(options.databaseUrl, paths, common.dir, settings, common.schema, reading);
        return paths.length > 0 ? lintFiles(paths, settings, reading) : lintMigrationsDir(common.dir, settings, reading);
      };
      const linted = await lint(set);
      if (options.dry && !options.fix) throw new InputError('--dry only goes with --fix');
      if (options.fix) {
        const changed = applyFixes(linted, { pgVersion: settings.pgVersion, flywayPlaceholders: set?.layout === 'flyway' }, options.dry === true);
        if (options.dry) return hasBlockingFindings(linted) ? 1 : 0;
        if (changed > 0) {
          // Lint again what is now on disk (read afresh, with the same layout and placeholders): the report shows what is left.
          Object.assign(linted, await lint(set ? readMigrationSet(set.dir, { layout: set.layout, placeholders: common.placeholders }) : undefined));
        }
      }
      const result = options.stats ? lintWithSnapshot(linted, readSnapshotFile(options.stats), impactSettings(common.config)) : linted;
      if (common.format === 'json') printJson(withLayout(set, result));
      else if (common.format === 'sarif') printJson(renderLintSarif(result, RULES, { version: program.version() ?? 'unknown', sourceOf: readQuietly }));
      else if (common.format === 'markdown') print(renderLintMarkdown(result));
      else print(renderLintText(result, { color: useColor() }));
      return hasBlockingFindings(result) ? 1 : 0;
    }),
  );
}

/** The migrations directory's set when some named file lies in it; undefined otherwise (plain files are linted whole). */
function setOfNamedFiles(common: CommonOptions, paths: string[]): MigrationSet | undefined {
  const dir = path.resolve(common.dir);
  const inside = paths.some((file) => path.resolve(file).startsWith(dir + path.sep));
  return inside && existsSync(dir) ? readSet(common) : undefined;
}

/**
 * `lint --database-url`: the catalog is the source of truth for pending migrations (read-only: catalog
 * queries and the tracking table, nothing else). Files named on the command line are reported alone.
 */
async function lintWithDatabase(url: string, paths: string[], dir: string, settings: LintSettings, trackingSchema: string, read: { layout?: LayoutName; set?: MigrationSet }): Promise<LintResult> {
  const client = await connect(url);
  let catalog;
  let applied: Set<string>;
  try {
    catalog = await loadCatalogSchema(client, { tracking: trackingSchema });
    applied = new Set((await readAppliedRows(client, trackingSchema)).map((row) => String(row.version)));
  } finally {
    await client.end();
  }
  const dirs = paths.filter((target) => isDirectoryOrFile(target) === 'directory');
  const files = paths.filter((target) => isDirectoryOrFile(target) === 'file').map((file) => path.resolve(file));
  const targetDir = dirs[0] ?? (files.length > 0 ? path.dirname(files[0]!) : dir);
  return lintAgainstCatalog(targetDir, settings, { catalog, applied, ...read, ...(files.length > 0 && dirs.length === 0 ? { only: new Set(files) } : {}) });
}

/** Plans and (unless dry) writes the fixes of every linted file; returns how many files changed. */
function applyFixes(result: LintResult, how: { pgVersion: number; flywayPlaceholders: boolean }, dry: boolean): number {
  let changed = 0;
  for (const file of result.files) {
    if (!file.findings.some((finding) => FIXABLE.has(finding.rule))) continue;
    const text = readQuietly(file.path);
    if (text === undefined) continue;
    const plan = planFixes(text, file.findings, { ...how, nextMigrationName: (suffix) => nextNativeMigration(file.path, suffix) });
    if (plan.changes.length === 0) continue;
    changed++;
    if (dry) {
      print(diffLines(file.path, text, plan.text));
      for (const created of plan.newFiles) print(`--- /dev/null\n+++ ${path.join(path.dirname(file.path), created.name)}\n${created.text.trimEnd().split('\n').map((line) => `+${line}`).join('\n')}`);
      continue;
    }
    writeFileSync(file.path, plan.text);
    for (const change of plan.changes) note(`fixed ${file.path}:${change.line} ${change.rule}: ${change.description}`);
    for (const created of plan.newFiles) {
      const target = path.join(path.dirname(file.path), created.name);
      writeFileSync(target, created.text, { flag: 'wx' });
      note(`created ${target}: completes the safe changes (validates constraints added NOT VALID, attaches indexes built concurrently, sets NOT NULL through the validated CHECK)`);
    }
  }
  if (changed === 0) note('ddlgate: nothing to fix mechanically');
  return changed;
}

const FIXABLE = new Set(['create-index-not-concurrently', 'drop-index-not-concurrently', 'reindex-not-concurrently', 'foreign-key-without-not-valid', 'check-without-not-valid', 'unique-constraint-without-index', 'set-not-null']);

/**
 * The file name of a migration that runs right after a native-layout one (`<version>_<name>.up.sql`):
 * version + 1 with the same width, when no migration has that version yet; otherwise undefined.
 */
function nextNativeMigration(file: string, suffix: string): string | undefined {
  const match = /^(\d+)_(.+)\.up\.sql$/.exec(path.basename(file));
  if (!match) return undefined;
  const next = (BigInt(match[1]!) + 1n).toString().padStart(match[1]!.length, '0');
  const taken = readdirSync(path.dirname(file)).some((name) => name.startsWith(`${next}_`) || name === `${next}.sql`);
  return taken ? undefined : `${next}_${suffix}.up.sql`;
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parsePgVersion(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 10 || Number(value) > 30) throw new InputError(`--pg-version: "${value}" must be a PostgreSQL major version such as 15`);
  return Number(value);
}

function useColor(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true;
}
