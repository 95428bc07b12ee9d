import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A real TCP proxy on 127.0.0.1 between ddlgate and PostgreSQL, for network fault tests. It reads the
 * wire protocol just enough to know which simple Query a client sent and when the server's answer to it
 * is complete (ReadyForQuery), so a test can cut the connection at an exact statement boundary.
 *
 * - blackhole(): from now on nothing passes in either direction and nothing is closed — packets dropped
 *   silently, as a dead NAT entry or a failed-over proxy does; new connections are accepted and hang.
 * - reset(): every open connection is reset (RST) both ways.
 * - loseReplyTo(match): the next Query whose text matches is delivered to the server, which runs (and
 *   commits) it; its complete answer is dropped and the client connection reset. `held` resolves when
 *   the answer was swallowed, so a test can also SIGKILL the client at that moment.
 */
export interface TcpProxy {
  port: number;
  url(serverUrl: string): string;
  blackhole(): void;
  pass(): void;
  reset(): void;
  loseReplyTo(match: RegExp, options?: { nth?: number; action?: 'reset' | 'hold' }): { held: Promise<string> };
  /** Query texts seen so far, in order (for choosing cut points). */
  readonly queries: string[];
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const queries: string[] = [];
  let blackholed = false;
  let trap: { match: RegExp; remaining: number; action: 'reset' | 'hold'; resolve: (q: string) => void } | undefined;

  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream };
    pairs.add(pair);
    let clientBuffer = Buffer.alloc(0);
    let startupDone = false;
    let swallowing: string | undefined;
    let serverBuffer = Buffer.alloc(0);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', () => !blackholed && upstream.end());
    upstream.on('close', () => !blackholed && client.end());
    upstream.connect(target.port, target.host);
    client.on('data', (chunk) => {
      if (blackholed) return;
      clientBuffer = Buffer.concat([clientBuffer, chunk]);
      // Frontend messages: the untyped startup packet (or SSLRequest), then type byte + int32 length.
      for (;;) {
        if (!startupDone) {
          if (clientBuffer.length < 4) break;
          const len = clientBuffer.readInt32BE(0);
          if (clientBuffer.length < len) break;
          const code = clientBuffer.readInt32BE(4);
          if (code !== 80877103 && code !== 80877104) startupDone = true; // not SSLRequest / GSSENCRequest
          upstream.write(clientBuffer.subarray(0, len));
          clientBuffer = clientBuffer.subarray(len);
          continue;
        }
        if (clientBuffer.length < 5) break;
        const len = clientBuffer.readInt32BE(1);
        if (clientBuffer.length < len + 1) break;
        const message = clientBuffer.subarray(0, len + 1);
        clientBuffer = clientBuffer.subarray(len + 1);
        if (message[0] === 0x51 /* Q */) {
          const text = message.subarray(5, message.length - 1).toString('utf8');
          queries.push(text);
          if (trap && trap.match.test(text) && --trap.remaining === 0) {
            swallowing = text;
          }
        }
        upstream.write(message);
      }
    });
    upstream.on('data', (chunk) => {
      if (blackholed) return;
      if (swallowing === undefined) {
        client.write(chunk);
        return;
      }
      // Keep the answer from the client until ReadyForQuery ('Z') ends it: by then the server has committed.
      serverBuffer = Buffer.concat([serverBuffer, chunk]);
      let offset = 0;
      while (serverBuffer.length - offset >= 5) {
        const len = serverBuffer.readInt32BE(offset + 1);
        if (serverBuffer.length - offset < len + 1) break;
        if (serverBuffer[offset] === 0x5a /* Z */) {
          const text = swallowing;
          const current = trap!;
          trap = undefined;
          swallowing = undefined;
          if (current.action === 'reset') {
            client.resetAndDestroy();
            upstream.destroy();
            pairs.delete(pair);
          }
          current.resolve(text);
          return;
        }
        offset += len + 1;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    queries,
    url(serverUrl: string) {
      const u = new URL(serverUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    blackhole() {
      blackholed = true;
    },
    pass() {
      blackholed = false;
    },
    reset() {
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    loseReplyTo(match, options = {}) {
      let resolve!: (q: string) => void;
      const held = new Promise<string>((r) => (resolve = r));
      trap = { match, remaining: options.nth ?? 1, action: options.action ?? 'reset', resolve };
      return { held };
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
