import type { DryRunReport } from '../db/dry-run.js';

export function renderDryRunText(report: DryRunReport): string {
  if (report.migrations.length === 0) return 'Dry-run: nothing pending.';
  const lines: string[] = [];
  for (const migration of report.migrations) {
    lines.push(`${migration.ok ? 'ok  ' : 'FAIL'} ${migration.version}_${migration.name} (${Math.round(migration.durationMs)} ms${migration.transactional ? '' : ', runs outside a transaction'})`);
    for (const statement of migration.statements) {
      const first = statement.sql.split('\n')[0]!.slice(0, 100);
      lines.push(`     ${migration.path}:${statement.line}  ${first}`);
      for (const lock of statement.locks) lines.push(`       lock ${lock.mode} on ${lock.relation}${lock.blocks.length ? ` (blocks ${lock.blocks.join(' and ')})` : ''}`);
      for (const rewrite of statement.rewrites) lines.push(`       rewrites ${rewrite}`);
      if (statement.note) lines.push(`       note: ${statement.note}`);
    }
    if (migration.error) lines.push(`     error: ${migration.error}`);
  }
  lines.push('', report.ok ? 'Dry-run passed; everything was rolled back.' : 'Dry-run FAILED; everything was rolled back.');
  return lines.join('\n');
}
