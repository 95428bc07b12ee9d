import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A real TCP-level blackhole for one loopback address, 127.0.0.9: Linux policy routing drops every packet
 * to or from it, silently (no RST, no ICMP), while the rest of loopback keeps working. Unlike the test
 * proxy's blackhole — where the proxy keeps both TCP connections alive — both kernels see a dead peer, so
 * TCP keepalives and tcp_user_timeout are what ends the connections.
 *
 *   on:  ip rule add pref 10 to 127.0.0.9 blackhole; ip rule add pref 10 from 127.0.0.9 blackhole;
 *        ip rule add pref 50 lookup local; ip rule del pref 0      (the local table must come after the drop)
 *   off: ip rule add pref 0 lookup local; ip rule del pref 50; ip rule del pref 10 (both)
 *
 * Other tests on this machine use loopback too, so: only 127.0.0.9 is touched; a window is bounded
 * (`maxMs`, then the rules are removed whatever the test does); the rules are removed in `finally`, on
 * process exit, and a leftover state (a killed test) is repaired on the next start; and holders are
 * serialized by an flock on LOCK_FILE, held by a child that exits when this process does. When `ip rule`
 * is not permitted the test fails with the command's own message — it is never skipped.
 */
export const BLACKHOLE_ADDRESS = '127.0.0.9';
export const LOCK_FILE = '/tmp/ddlgate-blackhole.lock';

const ON = [
  `ip rule add pref 10 to ${BLACKHOLE_ADDRESS} blackhole`,
  `ip rule add pref 10 from ${BLACKHOLE_ADDRESS} blackhole`,
  'ip rule add pref 50 lookup local',
  'ip rule del pref 0',
];

function ip(command: string): { ok: boolean; error: string } {
  const result = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  return { ok: result.status === 0, error: (result.stderr || result.stdout || `exit ${result.status}`).trim() };
}

function rules(): string {
  const shown = spawnSync('ip', ['rule', 'show'], { encoding: 'utf8' });
  if (shown.status !== 0) throw new Error(`cannot read the routing rules (ip rule show): ${(shown.stderr || shown.error?.message || '').trim()}`);
  return shown.stdout;
}

/** Puts the routing rules back as they were (idempotent): the local table first, no drop for 127.0.0.9. */
export function restoreRules(): void {
  const failures: string[] = [];
  const run = (command: string) => {
    const result = ip(command);
    if (!result.ok) failures.push(`${command}: ${result.error}`);
  };
  if (!/^0:\s+from all lookup local\b/m.test(rules())) run('ip rule add pref 0 lookup local');
  const escaped = BLACKHOLE_ADDRESS.replace(/\./g, '\\.');
  if (new RegExp(`^10:\\s+from all to ${escaped} blackhole`, 'm').test(rules())) run(`ip rule del pref 10 to ${BLACKHOLE_ADDRESS} blackhole`);
  if (new RegExp(`^10:\\s+from ${escaped} blackhole`, 'm').test(rules())) run(`ip rule del pref 10 from ${BLACKHOLE_ADDRESS} blackhole`);
  if (/^50:\s+from all lookup local\b/m.test(rules())) run('ip rule del pref 50 lookup local');
  if (failures.length) throw new Error(`could not restore the routing rules: ${failures.join('; ')}`);
}

export interface Blackhole {
  /** Drops every packet to and from 127.0.0.9 until off() — at most `maxMs`, then it ends by itself. */
  on(maxMs: number): void;
  off(): void;
  /** Ends any window and releases the lock. */
  release(): Promise<void>;
}

/** Takes the machine-wide blackhole lock (waits for other holders), repairs a leftover state, checks permission. */
export async function acquireBlackhole(waitMs = 300_000): Promise<Blackhole> {
  const holder = await takeLock(waitMs);
  let timer: NodeJS.Timeout | undefined;
  const exitHook = () => restoreRules();
  try {
    restoreRules();
    // Permission check with a rule that changes no routing: add and remove a pref-10 rule for nothing we use.
    const probe = ip(`ip rule add pref 10 to ${BLACKHOLE_ADDRESS} blackhole`);
    if (!probe.ok) throw new Error(`the TCP blackhole test needs to change Linux routing rules, and \`ip rule add\` failed: ${probe.error}`);
    restoreRules();
  } catch (error) {
    holder.stdin?.end();
    throw error;
  }
  process.on('exit', exitHook);
  const off = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    restoreRules();
  };
  return {
    on(maxMs) {
      for (const command of ON) {
        const result = ip(command);
        if (!result.ok) {
          restoreRules();
          throw new Error(`could not start the blackhole (${command}): ${result.error}`);
        }
      }
      timer = setTimeout(off, maxMs);
    },
    off,
    async release() {
      try {
        off();
      } finally {
        process.off('exit', exitHook);
        holder.stdin?.end();
        await new Promise((resolve) => (holder.exitCode !== null ? resolve(null) : holder.once('exit', resolve)));
      }
    },
  };
}

/** flock held by a child that waits on its stdin: when this process ends, stdin closes and the lock goes. */
function takeLock(waitMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-w', String(Math.ceil(waitMs / 1000)), LOCK_FILE, 'sh', '-c', 'echo locked; read _'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => String(d).includes('locked') && resolve(child));
    child.on('error', (error) => reject(new Error(`cannot take ${LOCK_FILE}: ${error.message}`)));
    child.on('exit', (code) => reject(new Error(`cannot take ${LOCK_FILE} within ${Math.round(waitMs / 1000)} s (flock exit ${code}${stderr ? `: ${stderr.trim()}` : ''})`)));
  });
}
