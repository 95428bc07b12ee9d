/**
 * A small unified diff for `schema-dump --check`: enough to show a reviewer which lines drifted,
 * without shelling out to diff(1), which minimal CI images may lack.
 */
type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** Above this many middle lines on each side the LCS table would get large: show the middle as one replaced block. */
const LCS_LIMIT = 3000;

function lineOps(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: ' ', line: a[i]!, a: i, b: i });
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length <= LCS_LIMIT && midB.length <= LCS_LIMIT) {
    // Classic LCS table over the differing middle only.
    const n = midA.length;
    const m = midB.length;
    const table = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i * (m + 1) + j] = midA[i] === midB[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ kind: ' ', line: midA[i]!, a: start + i, b: start + j });
        i++;
        j++;
      } else if (j < m && (i === n || table[i * (m + 1) + j + 1]! > table[(i + 1) * (m + 1) + j]!)) {
        // Ties go to the deletion, so a replaced line reads - old then + new, as diff(1) prints it.
        ops.push({ kind: '+', line: midB[j]!, a: start + i, b: start + j });
        j++;
      } else {
        ops.push({ kind: '-', line: midA[i]!, a: start + i, b: start + j });
        i++;
      }
    }
  } else {
    midA.forEach((line, i) => ops.push({ kind: '-', line, a: start + i, b: start }));
    midB.forEach((line, j) => ops.push({ kind: '+', line, a: endA, b: start + j }));
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) ops.push({ kind: ' ', line: a[i]!, a: i, b: j });
  return ops;
}

/** Unified diff of two texts with `context` lines around each change; empty when they are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const ops = lineOps(a, b);
  const changed = ops.map((op, index) => (op.kind !== ' ' ? index : -1)).filter((index) => index >= 0);
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let h = 0;
  while (h < changed.length) {
    const first = changed[h]!;
    let last = first;
    while (h + 1 < changed.length && changed[h + 1]! - last <= 2 * context) last = changed[++h]!;
    h++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const hunk = ops.slice(from, to + 1);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    const oldStart = hunk[0]!.a + (oldCount ? 1 : 0);
    const newStart = hunk[0]!.b + (newCount ? 1 : 0);
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
