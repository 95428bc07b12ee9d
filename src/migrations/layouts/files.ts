import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The `.sql` files directly inside a migrations directory, sorted by name (sub-folders such as drizzle's meta/ are skipped). */
export function listSqlFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${displayPath(dir)}: not a directory (set the migrations dir with --dir)`);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${displayPath(dir)}: migrations directory not found (set it with --dir)`);
  }
  return names
    .sort()
    .filter((name) => name.toLowerCase().endsWith('.sql') && statSync(path.join(dir, name)).isFile());
}

export function fileExists(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
