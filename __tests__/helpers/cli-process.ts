import { spawn } from 'node:child_process';
import { CLI, query, REPO_ROOT, type CliResult } from './pg.js';
import type { TcpProxy } from './tcp-proxy.js';

/** A run that takes longer than this has hung: it is killed, so the test fails instead of the suite hanging. */
const HUNG_MS = 300_000;

/** The CLI as a child process the test can watch and kill (fault tests): `done` resolves with its result and how long it ran. */
export function startCli(url: string, dir: string, ...args: string[]) {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args, '--dir', dir], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: url, POSTGRES_URL: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult & { ms: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
  const guard = setTimeout(() => child.kill('SIGKILL'), HUNG_MS);
  void done.finally(() => clearTimeout(guard));
  return { child, done, stderr: () => stderr };
}

/** Polls `probe` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The single `ddlgate:` line of a failed run's stderr (the test fails when there are more, or a stack trace). */
export function oneLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('ddlgate:'));
  expect({ lines: lines.length, stderr: lines.length === 1 ? '' : result.stderr }).toEqual({ lines: 1, stderr: '' });
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** Waits until no ddlgate backend is left on the database (an orphaned session ended, its migration lock released). */
export async function noRunnerLeft(url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await query(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ddlgate'`))[0].n === 0, 'the ddlgate backend to end (it outlived its client)', timeoutMs);
}

/**
 * Runs the CLI through `proxy` and cuts it at the n-th query matching `cut.match`, once the server has
 * answered it: the connection reset, or the runner SIGKILLed while the answer is held. A reset run must
 * exit 1 with one "connection lost" line. Returns the disturbed run's result and the query it was cut at.
 */
export async function runCut(proxy: TcpProxy, cut: { match: RegExp; nth?: number }, how: 'reset' | 'SIGKILL', url: string, dir: string, ...args: string[]): Promise<CliResult & { line?: string }> {
  const trap = proxy.loseReplyTo(cut.match, { nth: cut.nth ?? 1, action: how === 'reset' ? 'reset' : 'hold' });
  const run = startCli(proxy.url(url), dir, ...args);
  const cutAt = await Promise.race([trap.held, run.done.then((r) => Promise.reject(new Error(`run ended before the cut: ${r.stderr}`)))]);
  expect(cutAt).toMatch(cut.match);
  if (how === 'SIGKILL') run.child.kill('SIGKILL');
  const disturbed = await run.done;
  if (how === 'SIGKILL') return disturbed;
  expect(disturbed.code).toBe(1);
  const line = oneLine(disturbed);
  expect(line).toMatch(/connection lost|connection to .* lost/);
  return { ...disturbed, line };
}
