/**
 * Maps offsets in a source text to 1-based line/column.
 * libpg-query reports statement locations as UTF-8 byte offsets, while syntax-error cursors are
 * code-point offsets; both are converted here so every report points at the right character.
 */
export interface Position {
  line: number;
  column: number;
}

export class SourceMap {
  readonly bytes: Buffer;
  private readonly lineStartBytes: number[];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    this.lineStartBytes = [0];
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i] === 0x0a) this.lineStartBytes.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStartBytes.length;
  }

  /** Text between two byte offsets. */
  slice(startByte: number, endByte: number): string {
    return this.bytes.subarray(startByte, endByte).toString('utf8');
  }

  positionOfByte(byteOffset: number): Position {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let low = 0;
    let high = this.lineStartBytes.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStartBytes[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const lineStart = this.lineStartBytes[low]!;
    const column = countCodePoints(this.bytes.subarray(lineStart, offset)) + 1;
    return { line: low + 1, column };
  }

  byteOfCodePoint(codePointOffset: number): number {
    let seen = 0;
    let i = 0;
    while (i < this.bytes.length && seen < codePointOffset) {
      i += utf8SequenceLength(this.bytes[i]!);
      seen++;
    }
    return Math.min(i, this.bytes.length);
  }

  /** Byte offset of the first character of a 1-based line. */
  byteOfLine(line: number): number {
    return this.lineStartBytes[Math.max(0, Math.min(line - 1, this.lineStartBytes.length - 1))]!;
  }
}

function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

function countCodePoints(bytes: Buffer): number {
  let count = 0;
  for (const byte of bytes) {
    if ((byte & 0xc0) !== 0x80) count++;
  }
  return count;
}
