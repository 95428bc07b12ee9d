import { scanSync } from 'libpg-query';

/**
 * The transactional equivalent of a concurrent statement (CREATE/DROP INDEX, REINDEX, DETACH PARTITION):
 * the CONCURRENTLY keyword token removed, found by the real scanner so an identifier or string that
 * happens to spell it is never touched. Used by the dry-run, which must run everything in one transaction.
 */
export function withoutConcurrently(sql: string): string {
  const bytes = Buffer.from(sql, 'utf8');
  const tokens = scanSync(sql).tokens;
  const at = tokens.findIndex((token) => token.keywordKind !== 0 && token.text.toLowerCase() === 'concurrently');
  if (at < 0) return sql;
  const cut = (start: number, end: number) => Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]).toString('utf8');
  const previous = tokens[at - 1]?.text;
  if (previous !== '(' && previous !== ',') return cut(tokens[at]!.start, tokens[at]!.end);
  // An option of a parenthesised list (REINDEX (CONCURRENTLY [value], …)): the option and its value go,
  // with one comma, or the parentheses when it was the only option ("REINDEX () …" is a syntax error).
  let next = at + 1;
  while (next < tokens.length && tokens[next]!.text !== ',' && tokens[next]!.text !== ')') next++;
  const closing = tokens[next];
  if (!closing) return cut(tokens[at]!.start, tokens[at]!.end);
  if (previous === ',') return cut(tokens[at - 1]!.start, tokens[next - 1]!.end);
  if (closing.text === ',') return cut(tokens[at]!.start, tokens[next + 1]?.start ?? closing.end);
  return cut(tokens[at - 1]!.start, closing.end);
}
