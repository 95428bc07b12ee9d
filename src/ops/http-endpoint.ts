import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findLockHolder, type LockHolder } from '../db/advisory-lock.js';
import { closeQuietly, connect, parseDatabaseUrl } from '../db/connection.js';
import { runDryRun } from '../db/dry-run.js';
import { compareVersions } from '../db/status.js';
import { getStatus, statusJson } from '../db/status-query.js';
import { MigrationFailed, runUp, type RunnerSettings } from '../db/up.js';
import { InputError, OperationError, DdlgateError } from '../errors.js';
import { readMigrationSet } from '../migrations/discover.js';
import { registerSecret, scrubSecrets } from '../secrets.js';

/**
 * `ddlgate serve`: status and runs over HTTP for preview and development databases.
 *
 *   GET  /api/migrations                              → status JSON (DESIGN.md)
 *   POST /api/migrations {"dryRun":bool,"to"?:"<v>"} → dry-run or up report
 *
 * Status codes of a POST: 200 when the run succeeded; 422 when a migration failed (body: the report
 * plus `error`, so `curl --fail` stops a script) or a migration file is invalid; 409 while another run holds the lock; 400/401/404/
 * 405/413/415 for bad requests; 503 while shutting down; 500 for anything else. Every error body is
 * `{"error": "…"}` with secrets scrubbed, never a stack trace.
 */

export const MIN_TOKEN_LENGTH = 32;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 16 * 1024;
export const ROUTE = '/api/migrations';

/** Bodies up to this size are read and discarded before a 413, so the client sees the answer instead of a reset. */
const DISCARD_LIMIT = 1024 * 1024;
const DEPLOY_HINT = 'apply production migrations through the deploy workflow (.github/workflows/migrations-deploy.yml, with confirm: MIGRATE-PRODUCTION)';

export interface MigrationServerOptions {
  /** The bearer token (INTERNAL_ADMIN_TOKEN); at least 32 characters. */
  token: string | undefined;
  /** Database, migrations directory, timeouts; `environment` is the explicit --environment. */
  runner: RunnerSettings;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  bodyLimitBytes?: number;
  /** One line per request plus the runner's progress lines; secrets are scrubbed before it is called. */
  log?: (line: string) => void;
  /** Where NODE_ENV and DDLGATE_ENV are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The run this process is executing, reported to whoever asks for a second one. */
export interface RunHolder {
  kind: 'this-server';
  requestId: string;
  remoteAddress: string;
  startedAt: string;
  dryRun: boolean;
  to: string | null;
}

export interface MigrationServer {
  readonly server: http.Server;
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops taking requests, lets a running migration finish and answer, then closes. */
  close(): Promise<void>;
  currentRun(): RunHolder | null;
}

const isProduction = (name: string | null | undefined) => !!name && /^prod(uction)?$/i.test(name.trim());

/**
 * Refuses to serve production or to run without a strong token. Checked before anything listens or
 * connects; the CLI calls it before resolving its other options so the refusal is the first thing said.
 */
export function assertServeAllowed(token: string | undefined, explicitEnvironment: string | null | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const sources: Array<[string, string | null | undefined]> = [
    ['--environment', explicitEnvironment],
    ['DDLGATE_ENV', env.DDLGATE_ENV],
    ['NODE_ENV', env.NODE_ENV],
  ];
  const production = sources.find(([, value]) => isProduction(value));
  if (production) {
    const [source, value] = production;
    const shown = source === '--environment' ? `--environment ${value}` : `${source}=${value}`;
    throw new InputError(`ddlgate serve refuses to run in production (${shown}): it is for preview and development databases only; ${DEPLOY_HINT}`);
  }
  if (!token) throw new InputError(`INTERNAL_ADMIN_TOKEN is not set: ddlgate serve needs a bearer token of at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
  if (token.length < MIN_TOKEN_LENGTH) throw new InputError(`INTERNAL_ADMIN_TOKEN is too short: use at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createMigrationServer(options: MigrationServerOptions): MigrationServer {
  assertServeAllowed(options.token, options.runner.environment, options.env);
  const token = options.token!;
  registerSecret(token);
  // Validates the URL and registers its password with the scrubber before any request can echo it.
  parseDatabaseUrl(options.runner.databaseUrl);
  const tokenDigest = sha256(token);
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const sink = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => sink(scrubSecrets(line));

  let closing = false;
  let current: RunHolder | null = null;
  /** The running migration including the writing of its response: what close() waits for. */
  let running: Promise<void> | null = null;

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  // Malformed HTTP never reaches the handler: answer in JSON too, and keep Node's default text out.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      const body = JSON.stringify({ error: 'bad request' });
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    } else socket.destroy();
  });

  /**
   * Same code path for a missing and a wrong token: both are hashed and compared in constant time,
   * so neither the response nor its timing says which it was, nor how long the real token is.
   */
  function authorized(header: string | undefined): boolean {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    const presented = match?.[1] ?? '';
    return timingSafeEqual(sha256(presented), tokenDigest) && presented.length > 0;
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    // Scrub each string, not the serialised text: a scrubbed "password=…" must not swallow JSON quotes.
    const text = JSON.stringify(body, (_key, value) => (typeof value === 'string' ? scrubSecrets(value) : value));
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...(closing ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = performance.now();
    const remoteAddress = req.socket.remoteAddress ?? 'unknown';
    // Only the path is logged: a query string is the one place a careless client might put a token.
    const path = (req.url ?? '/').split('?')[0]!.slice(0, 200);
    let outcome = '';
    res.setHeader('x-request-id', requestId);
    res.on('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      log(`${new Date().toISOString()} ${requestId} ${remoteAddress} ${req.method} ${path} ${status} ${Math.round(performance.now() - started)}ms${outcome ? ` ${outcome}` : ''}`);
    });
    try {
      if (path !== ROUTE) throw new HttpError(404, `not found: the endpoint is ${ROUTE}`);
      if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, `method not allowed: use GET or POST ${ROUTE}`, {}, { allow: 'GET, POST' });
      if (!authorized(req.headers.authorization)) {
        throw new HttpError(401, 'unauthorized: send Authorization: Bearer <INTERNAL_ADMIN_TOKEN>', {}, { 'www-authenticate': 'Bearer realm="ddlgate"' });
      }
      if (closing) throw new HttpError(503, 'the server is shutting down');
      if (req.method === 'GET') {
        // Read per request (the files may change while the server runs), once for the whole request.
        const set = readMigrationSet(options.runner.dir, { layout: options.runner.layout, placeholders: options.runner.placeholders });
        const items = await getStatus({ ...options.runner, set });
        send(res, 200, statusJson(items, set.layout));
        return;
      }
      const request = parseRunRequest(await readJsonBody(req, bodyLimit));
      if (closing) throw new HttpError(503, 'the server is shutting down');
      if (current) throw new HttpError(409, 'a migration run is already in progress', { holder: current });
      // Claimed synchronously after the check above: of two concurrent POSTs exactly one gets here.
      const holder: RunHolder = { kind: 'this-server', requestId, remoteAddress, startedAt: new Date().toISOString(), dryRun: request.dryRun, to: request.to ?? null };
      current = holder;
      const run = execute(request, holder, res).then(
        (result) => {
          outcome = result;
        },
        (error) => {
          outcome = 'error';
          sendError(res, error);
        },
      );
      running = run.finally(() => {
        current = null;
        running = null;
      });
      await running;
    } catch (error) {
      sendError(res, error);
    }
  }

  function sendError(res: http.ServerResponse, error: unknown): void {
    if (error instanceof HttpError) {
      send(res, error.status, { error: error.message, ...error.extra }, error.headers);
    } else if (error instanceof InputError) {
      // Request fields are checked above (HttpError 400); an InputError here is about the migrations
      // on disk (a file that does not parse, a bad layout): the request is fine but cannot be processed.
      send(res, 422, { error: firstLine(error.message) });
    } else if (error instanceof DdlgateError) {
      send(res, 500, { error: firstLine(error.message) });
    } else {
      log(`unexpected error: ${firstLine(error instanceof Error ? error.message : String(error))}`);
      send(res, 500, { error: 'internal error' });
    }
  }

  /** Runs the claimed request; resolves with a word for the log line. */
  async function execute(request: RunRequest, { requestId, remoteAddress }: RunHolder, res: http.ServerResponse): Promise<string> {
    const set = readMigrationSet(options.runner.dir, { layout: options.runner.layout, placeholders: options.runner.placeholders });
    const layout = { layout: set.layout };
    if (request.to !== undefined && !set.entries.some((entry) => compareVersions(entry.version, request.to!) === 0)) {
      throw new HttpError(400, `"to": no migration with version ${request.to}`);
    }
    // Another process (a CI job, a second server) holding the lock is answered at once with who it is,
    // rather than after the runner's lock wait.
    const other = await otherLockHolder();
    if (other) throw new HttpError(409, 'another process holds the ddlgate migration lock', { holder: { kind: 'other-process', ...other } });
    // History rows say who asked: the HTTP client and the request, not the OS user the server runs as.
    const settings = { ...options.runner, set, actor: `http:${remoteAddress} request ${requestId}`, log: (message: string) => log(`${requestId} ${message}`) };
    try {
      if (request.dryRun) {
        const report = await runDryRun({ ...settings, ...(request.to ? { to: request.to } : {}) });
        if (report.ok) send(res, 200, { ...layout, ...report });
        else send(res, 422, { error: firstLine(report.migrations.find((m) => !m.ok)?.error ?? 'the dry-run failed'), ...layout, ...report });
        return report.ok ? 'dry-run ok' : 'dry-run failed';
      }
      const result = await runUp({ ...settings, ...(request.to ? { to: request.to } : {}) });
      send(res, 200, { ...layout, ...result });
      return `applied ${result.applied.length}`;
    } catch (error) {
      if (error instanceof MigrationFailed) {
        send(res, 422, { error: firstLine(error.message), ...layout, ...error.result });
        return 'migration failed';
      }
      if (error instanceof OperationError && /migration lock/.test(error.message)) {
        // Lost the race for the lock to another process after the check above.
        throw new HttpError(409, firstLine(error.message), { holder: { kind: 'other-process', ...((await otherLockHolder().catch(() => undefined)) ?? {}) } });
      }
      throw error;
    }
  }

  async function otherLockHolder(): Promise<LockHolder | undefined> {
    const client = await connect(options.runner.databaseUrl, { applicationName: 'ddlgate serve' });
    try {
      return await findLockHolder(client, options.runner.schema);
    } finally {
      await closeQuietly(client);
    }
  }

  return {
    server,
    currentRun: () => current,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          const why = error.code === 'EADDRINUSE' ? 'address already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
          reject(new OperationError(`cannot listen on ${host}:${port}: ${why}`));
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
        });
      });
    },
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections with no request in flight would hold close() open forever.
      server.closeIdleConnections();
      if (running) await running;
      // Every response sent while closing carries `connection: close`; whatever is left after the
      // run has answered (a half-sent request) gets a short grace period.
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), 5_000);
      grace.unref();
      await closed;
      clearTimeout(grace);
    },
  };
}

interface RunRequest {
  dryRun: boolean;
  to?: string;
}

function parseRunRequest(body: unknown): RunRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object: {"dryRun": true|false, "to"?: "<version>"}');
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => key !== 'dryRun' && key !== 'to');
  if (unknown.length) throw new HttpError(400, `unknown field "${unknown[0]!.slice(0, 50)}": expected {"dryRun": true|false, "to"?: "<version>"}`);
  // Required on purpose: a forgotten field must never turn into a real apply.
  if (typeof record.dryRun !== 'boolean') throw new HttpError(400, '"dryRun" must be true or false');
  if (record.to !== undefined && (typeof record.to !== 'string' || !/^\d{1,40}$/.test(record.to))) throw new HttpError(400, '"to" must be a migration version (a string of digits)');
  return { dryRun: record.dryRun, ...(record.to !== undefined ? { to: record.to as string } : {}) };
}

async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported content type: send Content-Type: application/json');
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooLarge = () => new HttpError(413, `request body too large: at most ${limit} bytes`, {}, { connection: 'close' });
  // Not worth reading: answer at once; `connection: close` drops the connection afterwards.
  if (declared > DISCARD_LIMIT) throw tooLarge();
  const text = await new Promise<string | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DISCARD_LIMIT) settle(() => resolve(null));
    });
    req.on('end', () => settle(() => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8'))));
    req.on('error', (error) => settle(() => reject(error)));
    req.on('close', () => settle(() => reject(new HttpError(400, 'the client closed the connection before sending the whole body'))));
  });
  if (text === null) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

function firstLine(message: string): string {
  return scrubSecrets(message).split('\n')[0]!;
}
