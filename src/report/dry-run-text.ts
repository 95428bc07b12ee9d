import type { DryRunReport } from '../db/dry-run.js';

export function renderDryRunText(report: DryRunReport): string {
  if (report.migrations.length === 0) return 'Dry-run: nothing pending.';
  const lines: string[] = [];
  for (const migration of report.migrations) {
    lines.push(`${migration.ok ? 'ok  ' : 'FAIL'} ${migration.version}_${migration.name} (${Math.round(migration.durationMs)} ms${migration.transactional ? '' : ', runs outside a transaction'})`);
    for (const statement of migration.statements) {
      const first = statement.sql.split('\n')[0]!.slice(0, 100);
      lines.push(`     ${migration.path}:${statement.line}  ${first}`);
      // Locks on relations this dry-run created itself are harmless (nobody else can see them yet).
      for (const lock of statement.locks.filter((l) => (l as { preExisting?: boolean }).preExisting !== false)) {
        lines.push(`       lock ${lock.mode} on ${lock.relation}${lock.blocks.length ? ` (blocks ${lock.blocks.join(' and ')})` : ''}${(lock as { inferred?: boolean }).inferred ? ' (inferred: an earlier migration of this dry-run already held it)' : ''}`);
        // With a production snapshot (--stats): the table's size there and how long the lock would last.
        const impact = (lock as { impact?: { summary: string } }).impact;
        if (impact) lines.push(`         in production: ${impact.summary}`);
      }
      for (const rewrite of statement.rewrites) lines.push(`       rewrites ${rewrite}`);
      for (const flag of Array.isArray(statement.flags) ? (statement.flags as Array<{ message: string }>) : []) lines.push(`       ! ${flag.message}`);
      if (statement.note) lines.push(`       note: ${statement.note}`);
    }
    if (migration.error) lines.push(`     error: ${migration.error}`);
  }
  for (const flag of Array.isArray(report.flags) ? (report.flags as Array<{ message: string }>) : []) lines.push(`! ${flag.message}`);
  lines.push('', report.ok ? 'Dry-run passed; everything was rolled back.' : 'Dry-run FAILED; everything was rolled back.');
  return lines.join('\n');
}
