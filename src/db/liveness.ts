import type pg from 'pg';

/**
 * Client-side bound on every wait of a runner's connection. TCP alone cannot give one: a query sent into
 * a dead network is retransmitted for ~15 minutes before the kernel gives up, and a proxy or NAT that
 * keeps its end open never fails at all. So:
 * - while the connection is idle, a keepalive query every HEARTBEAT_MS (answered within HEARTBEAT_TIMEOUT_MS,
 *   else the connection is dead); the server, for its part, ends a runner session idle for 15 s;
 * - while a query has been waiting PROBE_AFTER_MS, a second connection looks at our backend every
 *   PROBE_EVERY_MS: still running → fine however long the statement takes; gone → the server ended the
 *   session; idle twice in a row → its reply was lost; the server unreachable twice in a row → dead.
 * A dead connection is destroyed with the reason, so the waiting query fails with it (exit 1, one line).
 */
export const LIVENESS = {
  HEARTBEAT_MS: 5_000,
  HEARTBEAT_TIMEOUT_MS: 8_000,
  PROBE_AFTER_MS: 5_000,
  PROBE_EVERY_MS: 2_000,
  PROBE_TIMEOUT_MS: 3_000,
  /**
   * Worst case from the last byte to the run's end: probe after 5 s, two failed 3 s probes 2 s apart, one
   * tick (≈ 14 s), then at most RECORD_RETRY_MS trying to record the failure over a fresh connection.
   */
  CLIENT_BOUND_MS: 25_000,
  /** A 1 s tick that comes this late means the process was starved, not that the network is silent. */
  STARVED_MS: 2_500,
} as const;

export interface ConnectionWatch {
  readonly lostReason: string | undefined;
  /** A query over the watch's second connection (opened on first use), bounded by PROBE_TIMEOUT_MS. */
  sideQuery<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): void;
}

export interface WatchOptions {
  openSide: () => Promise<pg.Client>;
  log?: (message: string) => void;
}

type Timed<T> = (promise: Promise<T>, ms: number, what: string) => Promise<T>;

export function watchConnection(client: pg.Client, options: WatchOptions, withTimeout: Timed<any>): ConnectionWatch {
  const inflight = new Set<{ started: number }>();
  let lastActivity = Date.now();
  let heartbeatSince: number | undefined;
  let probing = false;
  let nextProbeAt = 0;
  let failures = 0;
  let idleSeen = 0;
  let lost: string | undefined;
  let side: pg.Client | undefined;
  // When this process was last starved (its event loop blocked, or the machine overloaded): timers then run
  // before the replies waiting in the socket are read, so a wait that spans it proves nothing about the network.
  let lastTick = Date.now();
  let starvedAt = 0;
  const original = client.query.bind(client) as (...args: any[]) => any;
  (client as any).query = (...args: any[]) => {
    const result = original(...args);
    if (result && typeof result.then === 'function') {
      const entry = { started: Date.now() };
      inflight.add(entry);
      const done = () => {
        inflight.delete(entry);
        lastActivity = Date.now();
      };
      result.then(done, done);
    }
    return result;
  };

  const dead = (reason: string) => {
    if (lost) return;
    lost = reason;
    const error = Object.assign(new Error(reason), { code: 'ETIMEDOUT', connectionLostReason: reason });
    (client as any).connection?.stream?.destroy(error);
    closeSide();
  };
  const closeSide = () => {
    const s = side;
    side = undefined;
    s?.connection?.stream?.destroy();
  };
  const sideQuery = async (sql: string, params: unknown[] = []) => {
    const current = side ?? (side = await withTimeout(options.openSide(), LIVENESS.PROBE_TIMEOUT_MS, 'no connection'));
    try {
      return (await withTimeout(current.query(sql, params), LIVENESS.PROBE_TIMEOUT_MS, 'no reply')).rows;
    } catch (error) {
      closeSide();
      throw error;
    }
  };

  const probe = async () => {
    probing = true;
    const started = Date.now();
    try {
      const rows = await sideQuery(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [(client as unknown as { processID: number }).processID]);
      failures = 0;
      const state: string | undefined = rows[0]?.state;
      if (!rows[0]) dead('the server ended the session');
      else if (state === 'active' || state?.startsWith('fastpath')) idleSeen = 0;
      else if (++idleSeen >= 2) dead(`the server finished the statement (its session is now ${state}) but the reply never arrived`);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      // A refused login or a full server says nothing about our connection.
      if (/too many|remaining connection slots|authentication|does not exist|permission/i.test(message)) return;
      if (starvedAt >= started || Date.now() - lastTick > LIVENESS.STARVED_MS) return;
      if (++failures >= 2) dead(`server unreachable (${message.replace(/^cannot connect to [^:]+: /, '')})`);
    } finally {
      probing = false;
      nextProbeAt = Date.now() + LIVENESS.PROBE_EVERY_MS;
    }
  };

  const tick = () => {
    if (lost) return;
    const now = Date.now();
    const late = now - lastTick > LIVENESS.STARVED_MS;
    lastTick = now;
    if (late) {
      // Judge nothing on this tick: give the replies that arrived meanwhile a turn to be read first.
      starvedAt = now;
      if (heartbeatSince !== undefined) heartbeatSince = now;
      return;
    }
    let oldest: number | undefined;
    for (const entry of inflight) oldest = oldest === undefined ? entry.started : Math.min(oldest, entry.started);
    if (heartbeatSince !== undefined && now - heartbeatSince >= LIVENESS.HEARTBEAT_TIMEOUT_MS) {
      dead(`no reply to a keepalive query within ${LIVENESS.HEARTBEAT_TIMEOUT_MS / 1000} s`);
      return;
    }
    if (oldest !== undefined) {
      if (now - oldest >= LIVENESS.PROBE_AFTER_MS && !probing && now >= nextProbeAt) void probe();
      return;
    }
    idleSeen = 0;
    failures = 0;
    if (heartbeatSince === undefined && now - lastActivity >= LIVENESS.HEARTBEAT_MS) {
      heartbeatSince = now;
      original('SELECT 1').then(
        () => {
          heartbeatSince = undefined;
          lastActivity = Date.now();
        },
        () => {
          heartbeatSince = undefined;
        },
      );
    }
  };
  const timer = setInterval(tick, 1000);
  timer.unref();
  return {
    get lostReason() {
      return lost;
    },
    sideQuery,
    stop() {
      clearInterval(timer);
      closeSide();
    },
  };
}
