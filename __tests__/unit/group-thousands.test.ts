import { groupThousands, plural } from '../../src/report/model.js';

describe('groupThousands', () => {
  test('writes integers as toLocaleString("en-US") does', () => {
    for (const n of [0, 1, 7, 12, 999, 1000, 4800, 12345, 999999, 1000000, 1234567, -1, -1234, 123456789012, Number.MAX_SAFE_INTEGER]) {
      expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
    }
  });
  test('plural uses it', () => {
    expect(plural(4800, 'finding')).toBe('4,800 findings');
    expect(plural(1, 'file')).toBe('1 file');
  });
});
