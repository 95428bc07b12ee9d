import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { discoverMigrations, displayPath } from '../migrations/discover.js';
import { loadParser } from '../sql/parser.js';
import { parseSqlStatements, SqlSyntaxError } from '../sql/statements.js';
import { buildCreateIndexSql, buildDropIndexSql, concurrentByDefault, type IndexSpec } from './index-helper.js';

export interface NewMigrationOptions {
  dir: string;
  name: string;
  index?: IndexSpec;
  now?: Date;
}

export interface NewMigration {
  version: string;
  name: string;
  upPath: string;
  downPath: string;
}

/** "Add users email index" → "add_users_email_index": the name part of a native file name. */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new InputError(`new: "${name}" gives an empty migration name; use letters or digits, e.g. add_users_email_index`);
  return slug;
}

export function timestampVersion(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * The next version: a UTC timestamp, or — in a directory numbered 0001, 0002 … — the next number with the
 * same width. Never at or below the newest existing version, so the new file always sorts last.
 */
export function nextVersion(existing: string[], now: Date): string {
  const numeric = existing.filter((v) => /^\d+$/.test(v));
  const newest = numeric.reduce<bigint | undefined>((max, v) => (max === undefined || BigInt(v) > max ? BigInt(v) : max), undefined);
  if (newest !== undefined && numeric.every((v) => v.length < 12)) {
    const width = Math.max(...numeric.map((v) => v.length));
    return (newest + 1n).toString().padStart(width, '0');
  }
  const stamp = timestampVersion(now);
  return newest !== undefined && BigInt(stamp) <= newest ? (newest + 1n).toString() : stamp;
}

function header(version: string, slug: string, purpose: string, rollback: string, directives: string[]): string {
  return [
    ...directives.map((d) => `-- ddlgate:${d}`),
    `-- ${version}_${slug}`,
    '--',
    `-- Purpose: ${purpose}`,
    `-- Rollback: ${rollback}`,
    '',
    '',
  ].join('\n');
}

export function migrationTexts(version: string, slug: string, index?: IndexSpec): { up: string; down: string } {
  if (!index) {
    return {
      up: `${header(version, slug, 'TODO — what this changes and why (ticket, incident, feature).', `${version}_${slug}.down.sql reverts it. TODO — note what it cannot bring back (dropped columns, overwritten values).`, [])}-- Write the change here.\n`,
      down: `${header(version, slug, `revert ${version}_${slug}.up.sql.`, 'TODO — data that cannot be restored by this file (restore from backup if needed).', [])}-- Write the reverse change here.\n`,
    };
  }
  const concurrent = index.concurrent ?? concurrentByDefault();
  const spec = { ...index, concurrent };
  // CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction: say so where the reader looks first.
  const directives = concurrent ? ['no-transaction'] : [];
  const lockNote = concurrent ? 'built CONCURRENTLY: reads and writes continue during the build.' : 'built without CONCURRENTLY: writes to the table wait for the whole build.';
  return {
    up: `${header(version, slug, `TODO — which query this index serves. Index ${lockNote}`, `${version}_${slug}.down.sql drops the index; nothing is lost.`, directives)}${buildCreateIndexSql(spec)}\n`,
    down: `${header(version, slug, `drop the index created by ${version}_${slug}.up.sql.`, 'recreate it by applying the up file again.', directives)}${buildDropIndexSql(spec)}\n`,
  };
}

/** `ddlgate new <name>`: writes the pair, refusing to overwrite anything. */
export async function createMigration(options: NewMigrationOptions): Promise<NewMigration> {
  const slug = migrationSlug(options.name);
  const existing = existsSync(options.dir) ? discoverMigrations(options.dir).map((entry) => entry.version) : [];
  const version = nextVersion(existing, options.now ?? new Date());
  const texts = migrationTexts(version, slug, options.index);
  if (options.index) {
    // The predicate and expressions are the user's SQL: parse the result so a typo fails here, not in production.
    await loadParser();
    try {
      parseSqlStatements(texts.up);
    } catch (error) {
      if (error instanceof SqlSyntaxError) throw new InputError(`--index/--where: ${error.reason} in ${buildCreateIndexSql({ ...options.index, concurrent: false })}`);
      throw error;
    }
  }
  mkdirSync(options.dir, { recursive: true });
  const upPath = path.join(options.dir, `${version}_${slug}.up.sql`);
  const downPath = path.join(options.dir, `${version}_${slug}.down.sql`);
  for (const file of [upPath, downPath]) if (existsSync(file)) throw new InputError(`${displayPath(file)}: already exists`);
  writeFileSync(upPath, texts.up, { flag: 'wx' });
  writeFileSync(downPath, texts.down, { flag: 'wx' });
  return { version, name: slug, upPath, downPath };
}
