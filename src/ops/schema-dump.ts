import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.js';
import { closeQuietly, connect, quoteIdent, type Client } from '../db/connection.js';
import { trackingTablesExist } from '../db/tracking.js';
import { normaliseSqlText } from '../migrations/checksum.js';
import { displayPath } from '../migrations/discover.js';
import { unifiedDiff } from './line-diff.js';
import { connectionEnv, findPgTool, runTool, serverMajor, toolError } from './pg-tools.js';

/**
 * Lines pg_dump writes that change without the schema changing: the server and pg_dump versions, and
 * (since 17.6 / 16.10 / 15.14) the random `\restrict` key. Dropped so two dumps of one schema are identical.
 */
const NOISE = [/^-- Dumped from database version /, /^-- Dumped by pg_dump version /, /^\\restrict\s/, /^\\unrestrict\s/];

export function cleanSchemaDump(text: string): string {
  const lines = normaliseSqlText(text)
    .split('\n')
    .filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  // Removing a line can leave two blank lines in a row where there was one; squeeze runs of blanks.
  const squeezed: string[] = [];
  for (const line of lines) if (!(line === '' && squeezed[squeezed.length - 1] === '')) squeezed.push(line);
  return `${squeezed.join('\n').trim()}\n`;
}

export function appliedVersionsBlock(schema: string, versions: Array<{ version: string; name: string }>): string {
  const lines = ['--', `-- Applied migrations (${schema}.schema_migrations), oldest first`, '--', ''];
  for (const { version, name } of versions) lines.push(`-- ${version} ${name}`);
  if (versions.length === 0) lines.push('-- (none)');
  return `${lines.join('\n')}\n`;
}

export function schemaDumpArgs(trackingSchema: string): string[] {
  // The tracking schema is ddlgate's bookkeeping, not the application's schema: left out, listed as versions instead.
  return ['--schema-only', '--no-owner', '--no-privileges', '--no-password', `--exclude-schema=${quoteIdent(trackingSchema)}`];
}

async function appliedVersions(client: Client, schema: string): Promise<Array<{ version: string; name: string }>> {
  if (!(await trackingTablesExist(client, schema))) return [];
  const rows = await client.query(`SELECT version, name FROM ${quoteIdent(schema)}.schema_migrations WHERE status = 'applied'`);
  return (rows.rows as Array<{ version: string; name: string }>).sort((a, b) => compareVersion(a.version, b.version));
}

function compareVersion(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The deterministic schema text: cleaned pg_dump --schema-only output, then the applied versions. */
export async function dumpSchema(databaseUrl: string, trackingSchema: string): Promise<string> {
  const client = await connect(databaseUrl);
  try {
    const tool = findPgTool('pg_dump', await serverMajor(client));
    const run = await runTool(tool.path, schemaDumpArgs(trackingSchema), connectionEnv(databaseUrl), { captureStdout: true });
    // A failed pg_dump must fail the command: an empty or partial schema file would pass for "no drift".
    if (run.code !== 0) throw new OperationError(toolError('pg_dump', run));
    if (!run.stdout.includes('PostgreSQL database dump')) throw new OperationError('pg_dump printed no dump (unexpected output); schema file not written');
    return `${cleanSchemaDump(run.stdout)}\n${appliedVersionsBlock(trackingSchema, await appliedVersions(client, trackingSchema))}`;
  } finally {
    await closeQuietly(client);
  }
}

export interface SchemaCheck {
  upToDate: boolean;
  /** Unified diff from the committed file to the database's schema; empty when up to date. */
  diff: string;
  missing: boolean;
}

export function compareSchemaFile(file: string, fresh: string): SchemaCheck {
  if (!existsSync(file)) return { upToDate: false, diff: '', missing: true };
  const committed = normaliseSqlText(readFileSync(file, 'utf8'));
  const diff = unifiedDiff(committed, fresh, `${displayPath(file)} (committed)`, `${displayPath(file)} (database)`);
  return { upToDate: diff === '', diff, missing: false };
}

/** Writes through a temporary file and a rename, so a reader never sees half a schema. */
export function writeSchemaFile(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
