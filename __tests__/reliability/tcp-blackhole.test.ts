import pg from 'pg';
import { WIRE_BOUNDS } from '../../src/db/connection.js';
import { startEphemeralPostgres, type EphemeralServer } from '../../src/db/ephemeral.js';
import { LIVENESS } from '../../src/db/liveness.js';
import { acquireBlackhole, BLACKHOLE_ADDRESS, type Blackhole } from '../helpers/blackhole.js';
import { query, removeDir, tempDir, testMajor } from '../helpers/pg.js';
import { oneLine, startCli, waitFor } from '../helpers/cli-process.js';

// A real TCP-level network death: the server also listens on 127.0.0.9 (loopback), ddlgate connects there,
// and Linux policy routing then drops every packet to and from 127.0.0.9 — no proxy keeps anything alive,
// so only TCP itself (keepalives, tcp_user_timeout) and ddlgate's own watch can notice. The second session
// that watches the lock uses 127.0.0.1, which keeps working. Bounds: docs/reliability.md.
//
// The server-side bound: the migration's statement is still running (state 'active'), so the idle timeouts
// cannot be what ends it — TCP keepalives (idle 5 s + 3 × 2 s) with client_connection_check_interval, or
// tcp_user_timeout (10 s) while the server has unacknowledged data to send.
const SERVER_BOUND_MS = WIRE_BOUNDS.tcpKeepalivesIdle * 1000 + WIRE_BOUNDS.tcpKeepalivesInterval * WIRE_BOUNDS.tcpKeepalivesCount * 1000 + 1000 + 3000; // 15 s: 12 s + 3 s of scheduling on a busy machine
const CLIENT_BOUND_MS = LIVENESS.CLIENT_BOUND_MS;

let server: EphemeralServer;
let blackhole: Blackhole;
beforeAll(async () => {
  server = await startEphemeralPostgres({ source: testMajor() === 15 ? 15 : 'embedded', settings: { listen_addresses: `127.0.0.1,${BLACKHOLE_ADDRESS}` } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);
beforeEach(async () => {
  blackhole = await acquireBlackhole();
}, 320_000);
afterEach(async () => {
  await blackhole?.release();
});

let counter = 0;
async function createDatabase(): Promise<{ url: string; viaBlackhole: string }> {
  const name = `bh_${process.pid}_${++counter}`;
  await query(server.url, `CREATE DATABASE ${name}`);
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  return { url, viaBlackhole: url.replace('@127.0.0.1:', `@${BLACKHOLE_ADDRESS}:`) };
}

/**
 * Runs migration 2 through 127.0.0.9, blackholes it once the runner's backend runs `pattern` (while it holds
 * ACCESS EXCLUSIVE on `hot`), and measures from the cut: when a reader on 127.0.0.1 gets through, when the
 * backend is gone on the server, when ddlgate exits. The blackhole ends as soon as all three happened.
 */
async function cutDuring(migration: string, pattern: string) {
  const { url, viaBlackhole } = await createDatabase();
  const dir = tempDir({ '1_hot.up.sql': 'CREATE TABLE hot (id int);\nINSERT INTO hot VALUES (1);', '2_cut.up.sql': migration });
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  try {
    const first = await startCli(url, dir, 'up', '--to', '1').done;
    expect(first.code).toBe(0);
    const run = startCli(viaBlackhole, dir, 'up');
    const backend = await waitFor(
      async () => (await query(url, `SELECT pid, state FROM pg_stat_activity WHERE application_name = 'ddlgate' AND query ILIKE $1`, [pattern]))[0],
      `the runner running ${pattern}`,
      60_000,
    );
    // (Its client_addr reads 127.0.0.1: loopback picks that source address; the rules drop both directions anyway.)
    expect(backend).toMatchObject({ state: 'active' });
    blackhole.on(60_000);
    const cut = Date.now();
    const readerMs = reader.query('SELECT count(*)::int AS n FROM hot').then(() => Date.now() - cut);
    const serverMs = waitFor(async () => (await query(url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend.pid])).length === 0, 'the server to end the dead session', 60_000).then(() => Date.now() - cut);
    // What the session was doing in its last second on the server: still running its statement, never idle.
    const lastStates = new Set<string>();
    const sampler = setInterval(() => void query(url, 'SELECT state FROM pg_stat_activity WHERE pid = $1', [backend.pid]).then((rows) => rows[0] && lastStates.add(rows[0].state)).catch(() => {}), 500);
    const result = await run.done;
    const clientMs = Date.now() - cut;
    const measured = { readerMs: await readerMs, serverMs: await serverMs, clientMs };
    clearInterval(sampler);
    blackhole.off();
    const column = await query(url, `SELECT 1 FROM information_schema.columns WHERE table_name = 'hot' AND column_name = 'note'`);
    return { result, measured, lastStates, column, url, dir };
  } finally {
    blackhole.off();
    await reader.end();
    removeDir(dir);
  }
}

describe(`TCP-level blackhole of ${BLACKHOLE_ADDRESS} (policy routing drops every packet; no proxy, no RST)`, () => {
  it('during a long statement in a transaction holding ACCESS EXCLUSIVE: TCP keepalives end the server session and release the lock; ddlgate exits 1 with one line', async () => {
    const { result, measured, lastStates, column } = await cutDuring('ALTER TABLE hot ADD COLUMN note text;\nSELECT pg_sleep(120);', '%pg_sleep(120)%');
    process.stdout.write(`keepalive blackhole: ${JSON.stringify(measured)}\n`);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toMatch(/2_cut\.up\.sql:2: connection lost: /);
    expect(measured.clientMs).toBeLessThan(CLIENT_BOUND_MS);
    expect(measured.serverMs).toBeLessThan(SERVER_BOUND_MS);
    expect(measured.readerMs).toBeLessThan(SERVER_BOUND_MS);
    expect([...lastStates]).toEqual(['active']);
    expect(column).toEqual([]);
  }, 180_000);

  it('while the server streams a result into the dead network: tcp_user_timeout ends the server session and releases the lock; ddlgate exits 1 with one line', async () => {
    const { result, measured, lastStates } = await cutDuring(
      `LOCK TABLE hot IN ACCESS EXCLUSIVE MODE;\nSELECT g, repeat('x', 4000) AS pad, pg_sleep(0.005) FROM generate_series(1, 12000) g;`,
      '%generate_series(1, 12000)%',
    );
    process.stdout.write(`tcp_user_timeout blackhole: ${JSON.stringify(measured)}\n`);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toMatch(/2_cut\.up\.sql:2: connection lost: /);
    expect(measured.clientMs).toBeLessThan(CLIENT_BOUND_MS);
    expect(measured.serverMs).toBeLessThan(WIRE_BOUNDS.tcpUserTimeoutMs + 3000);
    expect(measured.readerMs).toBeLessThan(WIRE_BOUNDS.tcpUserTimeoutMs + 3000);
    expect([...lastStates]).toEqual(['active']);
  }, 180_000);
});
