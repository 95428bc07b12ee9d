import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { migrationLockKey } from '../../src/db/advisory-lock.js';
import type { RunnerSettings } from '../../src/db/up.js';
import { InputError } from '../../src/errors.js';
import { createMigrationServer, type MigrationServer } from '../../src/ops/http-endpoint.js';
import { CLI, REPO_ROOT, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const TOKEN = randomBytes(24).toString('hex');

/** Everything any client or log saw, checked for the token and the database password at the end. */
const observed: string[] = [];
const dirs: string[] = [];
const servers: MigrationServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) removeDir(dir);
});

const V1 = '20260101000000';
const V2 = '20260102000000';

function migrations(files: Record<string, string>): string {
  const dir = tempDir(files);
  dirs.push(dir);
  return dir;
}

const basic = () =>
  migrations({
    [`${V1}_create_users.up.sql`]: 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
    [`${V2}_add_email.up.sql`]: 'ALTER TABLE users ADD COLUMN email text;\n',
  });

function runner(url: string, dir: string, overrides: Partial<RunnerSettings> = {}): RunnerSettings {
  return { databaseUrl: url, dir, schema: 'ddlgate', lockTimeoutMs: 5000, statementTimeoutMs: 60_000, lockWaitMs: 5000, lockRetries: 0, environment: 'preview', log: () => {}, ...overrides };
}

async function start(url: string, dir: string, overrides: Partial<RunnerSettings> = {}) {
  const logs: string[] = [];
  const endpoint = createMigrationServer({ token: TOKEN, runner: runner(url, dir, overrides), port: 0, env: {}, log: (line) => logs.push(line) });
  servers.push(endpoint);
  const { url: base } = await endpoint.listen();
  observed.push(base);
  return { endpoint, base, logs, flushLogs: () => observed.push(...logs) };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

/** A plain HTTP/1.1 request on its own connection (agent: false), so nothing lingers in a pool. */
function request(base: string, method: string, route: string, options: { token?: string | null; body?: string | Buffer; type?: string | null; auth?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const auth = options.auth ?? (options.token === null ? undefined : `Bearer ${options.token ?? TOKEN}`);
  if (auth) headers.authorization = auth;
  if (options.body !== undefined) {
    if (options.type !== null) headers['content-type'] = options.type ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${route}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        observed.push(text, JSON.stringify(res.headers));
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const post = (base: string, payload: unknown, options: Parameters<typeof request>[3] = {}) => request(base, 'POST', '/api/migrations', { body: JSON.stringify(payload), ...options });
const get = (base: string, options: Parameters<typeof request>[3] = {}) => request(base, 'GET', '/api/migrations', options);

test('GET status, POST dry-run (nothing persists), POST up, POST up to a version', async () => {
  const url = await db.createDatabase('serve_happy');
  const { base, flushLogs, logs } = await start(url, basic());

  const before = await get(base);
  expect(before.status).toBe(200);
  expect(before.headers['content-type']).toMatch(/^application\/json/);
  expect(before.body).toEqual({
    layout: 'native',
    migrations: [
      { version: V1, name: 'create_users', state: 'pending', appliedAt: null, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { version: V2, name: 'add_email', state: 'pending', appliedAt: null, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ],
  });

  const dry = await post(base, { dryRun: true });
  expect(dry.status).toBe(200);
  expect(dry.body.ok).toBe(true);
  expect(dry.body.migrations.map((m: any) => m.version)).toEqual([V1, V2]);
  expect(await db.query(url, `SELECT to_regclass('public.users') AS t`)).toEqual([{ t: null }]);

  const first = await post(base, { dryRun: false, to: V1 });
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ batch: 1, failed: null, applied: [{ version: V1, name: 'create_users' }] });

  const rest = await post(base, { dryRun: false });
  expect(rest.status).toBe(200);
  expect(rest.body.applied.map((m: any) => m.version)).toEqual([V2]);

  const after = await get(base);
  expect(after.body.migrations.map((m: any) => m.state)).toEqual(['applied', 'applied']);
  expect(after.body.migrations[0].appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

  // One line per request: method, path, status, request id; nothing else about the request.
  expect(logs.filter((line) => / (GET|POST) \/api\/migrations \d{3} /.test(line))).toHaveLength(5);
  expect(logs.find((line) => line.includes(`POST /api/migrations 200`) && line.includes(first.headers['x-request-id'] as string))).toBeDefined();
  flushLogs();
});

test('each error code answers JSON {"error": …} without a stack trace', async () => {
  const url = await db.createDatabase('serve_errors');
  const dir = migrations({
    [`${V1}_ok.up.sql`]: 'CREATE TABLE ok (id int);\n',
    // The error text carries a URL with a password: the scrubber must catch it in the 422 body.
    [`${V2}_broken.up.sql`]: `SELECT 'postgres://app:hunter2secret@db.internal/app'::int;\n`,
  });
  const { base, flushLogs } = await start(url, dir);

  const missing = await get(base, { token: null });
  const wrong = await get(base, { token: `${TOKEN.slice(0, -1)}x` });
  const short = await get(base, { token: 'x' });
  const basicAuth = await get(base, { auth: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` });
  // Missing and wrong tokens are indistinguishable: same status, body and headers.
  const shape = (r: Reply) => ({ status: r.status, body: r.text, headers: { ...r.headers, 'x-request-id': undefined, date: undefined } });
  expect(shape(missing)).toEqual(shape(wrong));
  expect(shape(short)).toEqual(shape(wrong));
  expect(shape(basicAuth)).toEqual(shape(wrong));
  expect(missing.status).toBe(401);
  expect(missing.body).toEqual({ error: expect.stringContaining('unauthorized') });
  expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
  // Unauthorised POSTs never run anything.
  expect((await post(base, { dryRun: false }, { token: null })).status).toBe(401);

  const notFound = await request(base, 'GET', '/api/nope');
  expect(notFound.status).toBe(404);
  expect(notFound.body.error).toMatch(/not found/);
  const notAllowed = await request(base, 'DELETE', '/api/migrations');
  expect(notAllowed.status).toBe(405);
  expect(notAllowed.headers.allow).toBe('GET, POST');

  const wrongType = await post(base, { dryRun: true }, { type: 'text/plain' });
  expect(wrongType.status).toBe(415);
  expect(wrongType.body.error).toMatch(/application\/json/);
  expect((await post(base, { dryRun: true }, { type: null })).status).toBe(415);

  const big = await request(base, 'POST', '/api/migrations', { body: JSON.stringify({ dryRun: true, pad: 'x'.repeat(20 * 1024) }) });
  expect(big.status).toBe(413);
  expect(big.body.error).toMatch(/too large/);

  const cases: Array<[string, RegExp]> = [
    ['{not json', /not valid JSON/],
    ['[1]', /JSON object/],
    ['{}', /"dryRun" must be true or false/],
    ['{"dryRun":"yes"}', /"dryRun"/],
    ['{"dryRun":true,"to":"1; DROP"}', /"to" must be/],
    ['{"dryRun":true,"to":"999"}', /no migration with version 999/],
    ['{"dryRun":true,"force":true}', /unknown field "force"/],
  ];
  for (const [body, message] of cases) {
    const reply = await request(base, 'POST', '/api/migrations', { body });
    expect([body, reply.status]).toEqual([body, 400]);
    expect(reply.body.error).toMatch(message);
  }
  expect(await db.query(url, `SELECT to_regnamespace('ddlgate') AS n`)).toEqual([{ n: null }]);

  // A failing migration: 422 with the report and a one-line error, the password scrubbed.
  const dryFail = await post(base, { dryRun: true });
  expect(dryFail.status).toBe(422);
  expect(dryFail.body.ok).toBe(false);
  expect(dryFail.body.error).toMatch(/invalid input syntax for type integer/);
  const upFail = await post(base, { dryRun: false });
  expect(upFail.status).toBe(422);
  expect(upFail.body).toMatchObject({ error: expect.stringMatching(/migration 20260102000000_broken failed/), applied: [{ version: V1 }], failed: { version: V2 } });
  for (const reply of [dryFail, upFail]) {
    expect(reply.text).not.toContain('hunter2secret');
    expect(reply.text).not.toMatch(/\n\s+at /);
  }

  // A token in the query string is not logged (only the path is).
  expect((await request(base, 'GET', `/api/migrations?token=${TOKEN}`)).status).toBe(200);

  // A database that cannot be reached: 500 with the reason, not the URL's password.
  const unreachable = await start(url.replace(/\/[^/]+$/, '/does_not_exist'), dir);
  const down = await get(unreachable.base);
  expect(down.status).toBe(500);
  expect(down.body).toEqual({ error: expect.stringMatching(/cannot connect to 127\.0\.0\.1:\d+\/does_not_exist: database does not exist/) });
  unreachable.flushLogs();

  // Migration files that cannot be processed: 422 naming the file.
  const invalid = await start(url, migrations({ 'not-a-migration.sql': 'SELECT 1;\n' }));
  const bad = await get(invalid.base);
  expect(bad.status).toBe(422);
  expect(bad.body.error).toMatch(/not-a-migration\.sql: unrecognised migration file name/);
  invalid.flushLogs();
  flushLogs();
});

test('concurrent POSTs: exactly one runs, the other gets 409 naming the holder', async () => {
  const url = await db.createDatabase('serve_race');
  const dir = migrations({ [`${V1}_slow.up.sql`]: 'CREATE TABLE slow (id int);\nSELECT pg_sleep(1);\n' });
  const { base, endpoint, flushLogs } = await start(url, dir);

  const replies = await Promise.all([post(base, { dryRun: false }), post(base, { dryRun: false })]);
  const winner = replies.find((r) => r.status === 200)!;
  const loser = replies.find((r) => r.status !== 200)!;
  expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
  expect(loser.body).toEqual({
    error: 'a migration run is already in progress',
    holder: { kind: 'this-server', requestId: winner.headers['x-request-id'], remoteAddress: '127.0.0.1', startedAt: expect.stringMatching(/T/), dryRun: false, to: null },
  });
  expect(winner.body.applied.map((m: any) => m.version)).toEqual([V1]);
  const history = await db.query(url, `SELECT version, action, status, executed_by FROM ddlgate.migration_history ORDER BY id`);
  expect(history).toEqual([{ version: V1, action: 'apply', status: 'success', executed_by: `http:127.0.0.1 request ${winner.headers['x-request-id']}` }]);
  expect(await db.query(url, `SELECT applied_by FROM ddlgate.schema_migrations`)).toEqual([{ applied_by: `http:127.0.0.1 request ${winner.headers['x-request-id']}` }]);
  expect(endpoint.currentRun()).toBeNull();
  flushLogs();
});

test('409 with the pid and application of another process holding the advisory lock', async () => {
  const url = await db.createDatabase('serve_lock');
  const { base, flushLogs } = await start(url, basic());
  const other = new pg.Client({ connectionString: url, application_name: 'ci-deploy-job' });
  await other.connect();
  try {
    await other.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey('ddlgate').toString()]);
    const pid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const reply = await post(base, { dryRun: false });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({
      error: 'another process holds the ddlgate migration lock',
      holder: { kind: 'other-process', pid, applicationName: 'ci-deploy-job', user: expect.any(String), heldForSeconds: expect.any(Number) },
    });
    // Reads are not blocked by a run elsewhere.
    expect((await get(base)).status).toBe(200);
  } finally {
    await other.end();
  }
  expect((await post(base, { dryRun: false })).status).toBe(200);
  flushLogs();
});

test('refuses production and weak or missing tokens before listening', async () => {
  const settings = runner(db.url, basic());
  const make = (token: string | undefined, env: NodeJS.ProcessEnv, environment: string | null = null) => () =>
    createMigrationServer({ token, runner: { ...settings, environment }, port: 0, env, log: () => {} });
  expect(make(TOKEN, { NODE_ENV: 'production' })).toThrow(/refuses to run in production \(NODE_ENV=production\).*deploy workflow/);
  expect(make(TOKEN, {}, 'production')).toThrow(/--environment production/);
  expect(make(TOKEN, { DDLGATE_ENV: 'prod' })).toThrow(InputError);
  expect(make(undefined, {})).toThrow(/INTERNAL_ADMIN_TOKEN is not set/);
  expect(make('a'.repeat(31), {})).toThrow(/too short: use at least 32/);
  expect(make(TOKEN, { NODE_ENV: 'development' })).not.toThrow();

  const dir = basic();
  const args = ['serve', '--port', '0', '--dir', dir, '--database-url', db.url];
  const production = await runCli(args, { env: { INTERNAL_ADMIN_TOKEN: TOKEN, NODE_ENV: 'production' }, timeoutMs: 20_000 });
  expect(production.code).toBe(2);
  expect(production.stderr).toMatch(/^ddlgate: ddlgate serve refuses to run in production \(NODE_ENV=production\).*migrations-deploy\.yml/);
  expect(production.stderr).not.toMatch(/listening/);
  const explicit = await runCli([...args, '--environment', 'production'], { env: { INTERNAL_ADMIN_TOKEN: TOKEN, NODE_ENV: undefined, DDLGATE_ENV: undefined }, timeoutMs: 20_000 });
  expect(explicit.code).toBe(2);
  expect(explicit.stderr).toMatch(/--environment production/);
  const noToken = await runCli(args, { env: { INTERNAL_ADMIN_TOKEN: undefined, NODE_ENV: undefined }, timeoutMs: 20_000 });
  expect(noToken.code).toBe(2);
  expect(noToken.stderr).toMatch(/INTERNAL_ADMIN_TOKEN is not set/);
  observed.push(production.stdout, production.stderr, explicit.stderr, noToken.stderr);
});

test('the CLI server finishes a running migration on SIGTERM before it exits', async () => {
  const url = await db.createDatabase('serve_sigterm');
  const dir = migrations({ [`${V1}_slow.up.sql`]: 'CREATE TABLE slow (id int);\nSELECT pg_sleep(1);\n' });
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--dir', dir, '--database-url', url], {
    cwd: REPO_ROOT,
    env: { ...process.env, INTERNAL_ADMIN_TOKEN: TOKEN, NODE_ENV: 'development', DDLGATE_ENV: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/migrations/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
    });

    const reply = post(base, { dryRun: false });
    // SIGTERM only once the migration is really running inside PostgreSQL.
    for (let i = 0; i < 200; i++) {
      const rows = await db.query(url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`);
      if (rows.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGTERM');
    const answer = await reply;
    expect(answer.status).toBe(200);
    expect(answer.body.applied.map((m: any) => m.version)).toEqual([V1]);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM received, waiting for the running migration \(request [0-9a-f-]+\) to finish/);
    expect(stderr).toMatch(/POST \/api\/migrations 200 /);
    // The run answered before the server called itself stopped: close() waited for it.
    const answered = stderr.search(/POST \/api\/migrations 200 /);
    expect(answered).toBeGreaterThan(stderr.indexOf('SIGTERM received'));
    expect(stderr.indexOf('ddlgate serve: stopped')).toBeGreaterThan(answered);
    expect(await db.query(url, `SELECT version, status FROM ddlgate.schema_migrations`)).toEqual([{ version: V1, status: 'applied' }]);
    // Stopped listening: a new request finds nobody.
    await expect(get(base)).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    observed.push(stdout, stderr);
  }
});

test('no token or password in any response, header or log line', () => {
  const password = db.server.password;
  expect(password.length).toBeGreaterThan(8);
  expect(observed.length).toBeGreaterThan(50);
  // On failure, show where each leak sits with the secret itself masked.
  const leaks = observed.flatMap((text, index) =>
    ([['TOKEN', TOKEN], ['PASSWORD', password], ['URL-PASSWORD', 'hunter2secret']] as const)
      .filter(([, secret]) => text.includes(secret))
      .map(([label, secret]) => `#${index} ${label}: ${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret) + secret.length + 40).split(secret).join(`<${label}>`)}`),
  );
  expect(leaks).toEqual([]);
  // Stack traces neither.
  expect(observed.filter((text) => /\n\s+at .+:\d+:\d+/.test(text))).toEqual([]);
});
