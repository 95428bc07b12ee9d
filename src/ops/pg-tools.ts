import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.js';
import { parseDatabaseUrl, type Client } from '../db/connection.js';
import { scrubSecrets } from '../secrets.js';

/**
 * Locating and running the PostgreSQL client programs (pg_dump, pg_restore, psql).
 *
 * pg_dump refuses to dump a server newer than itself, and a dump made by an older pg_dump may miss
 * newer features, so the tool's major must be ≥ the server's. The password travels in PGPASSWORD,
 * never on a command line where `ps` would show it to every user of the machine.
 */
export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

export interface FoundTool {
  path: string;
  major: number;
  version: string;
}

export interface FindToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Root of Debian-style installs, /usr/lib/postgresql/<major>/bin (overridable for tests). */
  systemRoot?: string;
}

export async function serverMajor(client: Client): Promise<number> {
  const result = await client.query(`SELECT current_setting('server_version_num')::int AS num`);
  return Math.floor(Number(result.rows[0].num) / 10000);
}

/** "pg_dump (PostgreSQL) 15.18 (Debian …)" → { major: 15, version: "15.18" }. */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output) ?? /\b(\d+)\.(\d+)\b/.exec(output);
  if (!match) return undefined;
  return { major: Number(match[1]), version: match[2] === undefined ? match[1]! : `${match[1]}.${match[2]}` };
}

function toolVersion(file: string): { major: number; version: string } | undefined {
  const result = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return parseToolVersion(result.stdout ?? '');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Candidate directories in order of preference: DDLGATE_PG_BIN, the server's own major, newer majors, then PATH. */
export function candidateDirs(wantedMajor: number, options: FindToolOptions = {}): string[] {
  const env = options.env ?? process.env;
  const root = options.systemRoot ?? '/usr/lib/postgresql';
  const dirs: string[] = [];
  if (env.DDLGATE_PG_BIN) dirs.push(env.DDLGATE_PG_BIN);
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number) : [];
  // The server's own major first (its dump is the most faithful), then newer ones, oldest first.
  for (const major of majors.filter((m) => m >= wantedMajor).sort((a, b) => a - b)) dirs.push(path.join(root, String(major), 'bin'));
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) dirs.push(dir);
  // Older system majors last: only so the error can say what was found.
  for (const major of majors.filter((m) => m < wantedMajor).sort((a, b) => b - a)) dirs.push(path.join(root, String(major), 'bin'));
  return [...new Set(dirs)];
}

/** Finds `tool` with major ≥ `wantedMajor`, or fails with one line saying what is needed and how to get it. */
export function findPgTool(tool: PgTool, wantedMajor: number, options: FindToolOptions = {}): FoundTool {
  const tooOld: FoundTool[] = [];
  for (const dir of candidateDirs(wantedMajor, options)) {
    const file = path.join(dir, tool);
    if (!existsSync(file) || !isExecutable(file)) continue;
    const version = toolVersion(file);
    if (!version) continue;
    if (version.major >= wantedMajor) return { path: file, ...version };
    tooOld.push({ path: file, ...version });
  }
  const found = tooOld.length ? ` (found only ${tool} ${tooOld[0]!.version} at ${tooOld[0]!.path})` : ' (none found)';
  throw new OperationError(
    `${tool} ${wantedMajor} or newer is needed for a PostgreSQL ${wantedMajor} server${found}; install postgresql-client-${wantedMajor} (apt.postgresql.org: apt-get install postgresql-client-${wantedMajor}) or set DDLGATE_PG_BIN to the directory holding it`,
  );
}

/** URL query parameters libpq understands that have an environment-variable twin. */
const PARAM_ENV: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  options: 'PGOPTIONS',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  channel_binding: 'PGCHANNELBINDING',
  gssencmode: 'PGGSSENCMODE',
};

/** Inherited variables that choose which server, database or credentials: they must come from the URL only. */
const TARGET_VARIABLES = new Set(['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPASSFILE', 'PGSERVICE', 'PGSERVICEFILE']);

/**
 * The environment for a client program connecting to `url`: every connection setting as a PG* variable
 * (the password in PGPASSWORD). Inherited variables that pick a target are removed so they cannot silently
 * point the program at another database; others (PGSSLROOTCERT, PGSSLMODE …) stay, as node-pg honours them too.
 */
export function connectionEnv(url: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  parseDatabaseUrl(url); // validates and registers the password for scrubbing
  const parsed = new URL(url.trim());
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!TARGET_VARIABLES.has(key)) env[key] = value;
  if (parsed.hostname) env.PGHOST = decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  for (const [param, value] of parsed.searchParams) {
    const name = PARAM_ENV[param];
    if (name) env[name] = value;
  }
  if (!env.PGAPPNAME) env.PGAPPNAME = 'ddlgate';
  return env;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client program; output is collected (stdout only when `captureStdout`) and never echoed. */
export function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, { captureStdout = false }: { captureStdout?: boolean } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new OperationError(`cannot run ${file}: ${error.message}`)));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

/** The most useful line of a failed tool's stderr (its first error, not a trailing "exiting" notice), scrubbed. */
export function toolError(tool: string, run: ToolRun): string {
  const lines = run.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? `exit code ${run.code}`;
  return scrubSecrets(`${tool} failed: ${line}`);
}
