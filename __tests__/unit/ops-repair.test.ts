import type { AppliedRow } from '../../src/db/tracking.js';
import { describeChange, planRepair } from '../../src/ops/repair.js';

const row = (version: string, status: AppliedRow['status'], checksum: string, statementsDone = 0): AppliedRow => ({
  version, name: `m${version}`, checksum, status, applied_at: null, applied_by: null, execution_time_ms: null, error_message: status === 'applied' ? null : 'boom', batch: 1, schema_fingerprint: null, statements_done: statementsDone,
});

describe('planRepair', () => {
  it('clears failed rows and failed history, re-records edited checksums, leaves the rest', () => {
    const entries = ['1', '2', '3', '4'].map((version) => ({ version, name: `m${version}`, upPath: `/m/${version}.up.sql` }));
    const sums: Record<string, string> = { '1': 'same', '2': 'edited', '3': 'x', '4': 'y' };
    const changes = planRepair(entries, [row('1', 'applied', 'same'), row('2', 'applied', 'orig'), row('3', 'failed', 'x', 2)], new Map([['4', { error: 'dup key' }]]), (e) => sums[e.version]!);
    expect(changes.map((c) => [c.kind, c.version])).toEqual([['checksum', '2'], ['clear-failed', '3'], ['clear-failed', '4']]);
    expect(describeChange(changes[1]!)).toMatch(/2 statement\(s\) had run and will run again/);
    expect(changes[2]).toMatchObject({ hasRow: false, error: 'dup key' });
  });
});
