import { createHash } from 'node:crypto';

/** Normalises what editors and git change without changing meaning: a UTF-8 BOM and CRLF line ends. */
export function normaliseSqlText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

export function checksumOf(text: string): string {
  return createHash('sha256').update(normaliseSqlText(text), 'utf8').digest('hex');
}
