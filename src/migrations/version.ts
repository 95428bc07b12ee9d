/**
 * Migration versions as every supported tool writes them: whole numbers (`20240101120000`, `000001`) and
 * Flyway's dotted or underscored versions (`13.1`, `1.0.0.1`, `2_1`). Parts are compared as numbers, and
 * trailing zero parts do not count (Flyway: `1.0` is the same version as `1`). Anything else compares as text.
 */
const DOTTED = /^\d+(?:[._]\d+)*$/;

function parts(version: string): bigint[] | undefined {
  if (!DOTTED.test(version)) return undefined;
  const numbers = version.split(/[._]/).map((part) => BigInt(part));
  while (numbers.length > 1 && numbers[numbers.length - 1] === 0n) numbers.pop();
  return numbers;
}

export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  for (let index = 0; index < Math.max(x.length, y.length); index++) {
    const p = x[index] ?? 0n;
    const q = y[index] ?? 0n;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

/** A key equal for equal versions (`0001` and `1`, `1.0` and `1`). */
export function versionKey(version: string): string {
  return parts(version)?.join('.') ?? version;
}
