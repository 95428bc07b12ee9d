import { scanSync } from 'libpg-query';

/**
 * The transactional equivalent of a concurrent statement (CREATE/DROP INDEX, REINDEX, DETACH PARTITION):
 * the CONCURRENTLY keyword token removed, found by the real scanner so an identifier or string that
 * happens to spell it is never touched. Used by the dry-run, which must run everything in one transaction.
 */
export function withoutConcurrently(sql: string): string {
  const bytes = Buffer.from(sql, 'utf8');
  const tokens = scanSync(sql).tokens;
  const keyword = tokens.find((token) => token.keywordKind !== 0 && token.text.toLowerCase() === 'concurrently');
  if (!keyword) return sql;
  return Buffer.concat([bytes.subarray(0, keyword.start), bytes.subarray(keyword.end)]).toString('utf8');
}
