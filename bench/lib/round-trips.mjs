// A pass-through TCP proxy that counts client→server round trips of the PostgreSQL wire protocol: every
// simple Query ('Q') and every extended-protocol Sync ('S') is one wait for the server. Counting at the wire
// is tool-neutral (psql, node-postgres and each migration tool alike) and needs no server logging.
import net from 'node:net';

/** Splits a client's byte stream into messages; calls onMessage(type) per typed message. */
function clientParser(onStartup, onMessage) {
  let buffer = Buffer.alloc(0);
  let startup = true; // the first message(s) carry no type byte
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (startup) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        // SSLRequest / GSSENCRequest (answered 'N' by a server without them) precede the real startup packet;
        // a CancelRequest ends the connection.
        if (code === 80877103 || code === 80877104) continue;
        if (code === 80877102) return;
        startup = false;
        onStartup();
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      onMessage(String.fromCharCode(buffer[0]));
      buffer = buffer.subarray(1 + length);
    }
  };
}

/** Starts a proxy on 127.0.0.1 in front of `url`'s server; returns the URL to connect through it. */
export async function startRoundTripProxy(url) {
  const target = new URL(url);
  const counts = { roundTrips: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {}); // a tool ending its connection abruptly must not crash the bench
    }
    const parse = clientParser(
      () => counts.connections++,
      (type) => {
        if (type === 'Q' || type === 'S') counts.roundTrips++;
      },
    );
    client.on('data', (chunk) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(server.address().port);
  return {
    url: proxied.toString(),
    snapshot: () => ({ ...counts }),
    reset: () => {
      counts.roundTrips = 0;
      counts.connections = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
