import { unifiedDiff } from '../../src/ops/line-diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'old', 'new')).toBe('');
  });

  it('shows a changed line with context and hunk header', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9'].join('\n');
    expect(unifiedDiff(before, after, 'a', 'b')).toBe(['--- a', '+++ b', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'));
  });

  it('separates far-apart changes into hunks and handles insertions', () => {
    const before = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const after = [...before];
    after.splice(2, 0, 'inserted');
    after[25] = 'changed';
    const diff = unifiedDiff(before.join('\n'), after.join('\n'), 'a', 'b');
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('+inserted');
    expect(diff).toContain('-l24');
    expect(diff).toContain('+changed');
  });
});
