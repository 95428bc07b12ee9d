/**
 * status, up's out-of-order check and --to, and down's "newest first" follow the migration set's order —
 * the layout's own — not the digits of the versions. diesel compares versions as text, so its 18-digit
 * `2025-11-19-091444-0000` comes before a 14-digit `2026-01-20-162913`, though it is the larger number.
 */
import { selectRollbackTargets } from '../../src/db/down.js';
import { computeStatus, setOrderComparator, type FileChecksum } from '../../src/db/status.js';
import type { AppliedRow } from '../../src/db/tracking.js';

const VERSIONS = ['20251119091444', '202511190914440000', '20260120162913'];

const files = VERSIONS.map((version, index) => ({ version, name: `m${index}`, upPath: `/m/${version}/up.sql`, layout: 'diesel', checksum: `c${index}` }) as unknown as FileChecksum);

function row(version: string, extra: Partial<AppliedRow> = {}): AppliedRow {
  const index = VERSIONS.indexOf(version);
  return {
    version, name: index === -1 ? 'gone' : `m${index}`, checksum: index === -1 ? 'cx' : `c${index}`, status: 'applied', applied_at: new Date(0), applied_by: null,
    execution_time_ms: 1, error_message: null, batch: 1, schema_fingerprint: null, statements_done: 0, ...extra,
  };
}

describe('the migration set order decides, not the digits', () => {
  it('status lists the set in its own order; a recorded row whose file is gone sits where its number puts it', () => {
    expect(computeStatus(files, [], new Map()).map((item) => item.version)).toEqual(VERSIONS);
    const status = computeStatus(files, [row('20251119091444'), row('20251201000000')], new Map());
    expect(status.map((item) => [item.version, item.state])).toEqual([
      ['20251119091444', 'applied'],
      // A gone file has no place in the layout's order: it goes before the first file numerically newer.
      ['20251201000000', 'missing'],
      ['202511190914440000', 'pending'],
      ['20260120162913', 'pending'],
    ]);
  });

  it('the comparator uses positions for known versions and numbers otherwise', () => {
    const order = setOrderComparator(files);
    expect(order('202511190914440000', '20260120162913')).toBeLessThan(0);
    expect(order('1', '2')).toBeLessThan(0);
  });

  it('down rolls back the newest of the set first, and --to keeps what comes before it in the set', () => {
    const rows = VERSIONS.map((version) => row(version));
    const order = setOrderComparator(files);
    expect(selectRollbackTargets(rows, { steps: 1 }, order).map((r) => r.version)).toEqual(['20260120162913']);
    expect(selectRollbackTargets(rows, { to: '202511190914440000' }, order).map((r) => r.version)).toEqual(['20260120162913']);
    expect(selectRollbackTargets(rows, { to: '20251119091444' }, order).map((r) => r.version)).toEqual(['20260120162913', '202511190914440000']);
  });
});
