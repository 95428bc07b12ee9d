import type { Command } from 'commander';
import { ADOPT_SOURCES, parseAdoptSource, runAdopt, type AdoptReport } from '../../ops/adopt/run.js';
import { action, print, printJson, readSet, withCommonOptions, withLayout } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

export function register(program: Command): void {
  withRunnerOptions(
    withCommonOptions(
      program
        .command('adopt')
        .description("take over another tool's record of applied migrations (read-only on its table): matched files are recorded as applied, not run"),
    ),
  )
    .requiredOption('--from <tool>', `the tool whose tracking table to read: ${ADOPT_SOURCES.join(', ')}`)
    .option('--table <schema.table>', "the other tool's tracking table when not at its default place")
    .option('--dry-run', 'report what would be adopted, write nothing')
    .action(
      action(async (options) => {
        const from = parseAdoptSource(options.from);
        const { common, settings } = resolveRunner(options);
        settings.set = readSet(common);
        const report = await runAdopt({ ...settings, from, ...(options.table ? { table: options.table } : {}), dryRun: Boolean(options.dryRun) });
        if (common.format === 'json') printJson(withLayout(settings.set, report));
        else print(renderAdoptText(report));
        return 0;
      }),
    );
}

export function renderAdoptText(report: AdoptReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'Would adopt' : 'Adopted';
  lines.push(`${verb} ${report.adopted.length} migration(s) from ${report.from} (${report.table})${report.batch !== null ? ` as batch ${report.batch}` : ''}.`);
  for (const item of report.adopted) lines.push(`  ${item.version}_${item.name}  ${item.path}  (matched by ${item.matchedBy})`);
  if (report.alreadyRecorded.length) lines.push(`Already recorded by ddlgate: ${report.alreadyRecorded.join(', ')}`);
  if (report.withoutFile.length) {
    lines.push(`In ${report.table} but no matching file (not adopted):`);
    for (const item of report.withoutFile) lines.push(`  ${item.entry}`);
  }
  if (report.unrecorded.length) {
    lines.push('Files that look applied but are not recorded (not adopted; check the database, then ddlgate baseline or up):');
    for (const item of report.unrecorded) lines.push(`  ${item.path}: ${item.reason}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(report.pending.length ? `Left for ddlgate up: ${report.pending.join(', ')}` : 'Nothing left to apply.');
  return lines.join('\n');
}
