import { existsSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * statSync of an entry found in a migrations directory: a dangling symlink or a symlink loop is bad input
 * (exit 2) named in one line, not an unexpected error.
 */
export function statEntry(file: string): Stats {
  try {
    return statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new InputError(`${displayPath(file)}: symlink loop (the link resolves to itself); remove it or point it at a file`);
    if (code === 'ENOENT' && lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw new InputError(`${displayPath(file)}: dangling symlink (its target does not exist); remove it or fix the link`);
    throw error;
  }
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
    .filter((name) => name.toLowerCase().endsWith('.sql') && statEntry(path.join(dir, name)).isFile());
}

export function fileExists(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

export function dirExists(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** The sub-folders of a directory, sorted by name. */
export function listSubdirs(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => statEntry(path.join(dir, name)).isDirectory());
}

/** Every file directly inside a directory (any extension), sorted by name. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => statEntry(path.join(dir, name)).isFile());
}

/** `.sql` files anywhere below a directory (relative paths, sorted), for "does this folder hold SQL at all". */
export function findSqlFiles(dir: string, depth = 3): string[] {
  if (!dirExists(dir)) return [];
  const found: string[] = [];
  const walk = (sub: string, level: number) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const relative = sub ? path.join(sub, name) : name;
      const stat = statEntry(path.join(dir, relative));
      if (stat.isDirectory() && level < depth) walk(relative, level + 1);
      else if (stat.isFile() && name.toLowerCase().endsWith('.sql')) found.push(relative);
    }
  };
  walk('', 0);
  return found;
}
