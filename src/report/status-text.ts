import type { StatusItem } from '../db/status.js';

export function renderStatusText(items: StatusItem[]): string {
  if (items.length === 0) return 'No migrations found.';
  const rows = items.map((item) => [item.toolVersion ?? item.version, item.name, item.state, item.appliedAt ?? '', item.detail ?? '']);
  const header = ['VERSION', 'NAME', 'STATE', 'APPLIED AT', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
  const summary = [...counts.entries()].map(([state, count]) => `${count} ${state}`).join(', ');
  return [line(header), ...rows.map(line), '', summary].join('\n');
}
