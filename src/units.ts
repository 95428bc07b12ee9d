/**
 * Byte sizes for people, in the units PostgreSQL's own pg_size_pretty() prints (bytes, kB, MB, GB, TB with
 * 1024 steps), so a size in a ddlgate report reads the same as what the reviewer sees in psql.
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}
