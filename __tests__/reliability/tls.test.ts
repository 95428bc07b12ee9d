import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeQuietly, connect } from '../../src/db/connection.js';
import { startEphemeralPostgres, type EphemeralServer } from '../../src/db/ephemeral.js';
import { query, removeDir, runCli, tempDir, testMajor } from '../helpers/pg.js';

// sslmode as libpq means it, against a real PostgreSQL with ssl=on and certificates made here with
// openssl: a CA, a server certificate for 127.0.0.1 and localhost signed by it, a second certificate for
// another host name only, and an unrelated CA. Each case connects the way ddlgate does (connect()) and
// asks the server whether the session is encrypted, and runs the CLI to check what the user sees: no
// driver warning on stderr, and a failure is one readable line with exit 1.
const certs = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-tls-'));
const file = (name: string) => path.join(certs, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'pipe', 'pipe'] });

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}
function makeServerCert(name: string, ca: string, altNames: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
  writeFileSync(file(`${name}.ext`), `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
}

let server: EphemeralServer;
beforeAll(async () => {
  makeCa('right-ca');
  makeCa('wrong-ca');
  makeServerCert('server', 'right-ca', 'IP:127.0.0.1,DNS:localhost');
  makeServerCert('other-name', 'right-ca', 'DNS:db.other.internal');
  // The server runs as `postgres` (we are root) and refuses a private key others can read.
  chmodSync(certs, 0o755);
  for (const name of ['server', 'other-name']) {
    chmodSync(file(`${name}.key`), 0o600);
    chmodSync(file(`${name}.pem`), 0o644);
    if (process.getuid?.() === 0) chownSync(file(`${name}.key`), idOf('-u'), idOf('-g'));
  }
  // TLS is switched on with ALTER SYSTEM (not -c), so the tests can change it with a reload.
  server = await startEphemeralPostgres({ source: testMajor() === 15 ? 15 : 'embedded' });
  await serverTls({ ssl: 'on', ssl_cert_file: file('server.pem'), ssl_key_file: file('server.key') });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(certs, { recursive: true, force: true });
}, 60_000);

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/** Changes the server's TLS settings and reloads (TLS settings are reloadable since PostgreSQL 10). */
async function serverTls(settings: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(settings)) await query(server.url, `ALTER SYSTEM SET ${name} = '${value}'`);
  await query(server.url, 'SELECT pg_reload_conf()');
  await new Promise((r) => setTimeout(r, 1000));
}

const withParams = (params: string) => `${server.url}${params ? `?${params}` : ''}`;

/** Connects as ddlgate does and asks the server whether this session is encrypted. */
async function encrypted(url: string): Promise<boolean> {
  const client = await connect(url);
  try {
    return (await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;
  } finally {
    await closeQuietly(client);
  }
}

async function cli(url: string): Promise<{ code: number | null; stderr: string }> {
  const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
  try {
    const result = await runCli(['status', '--dir', dir], { env: { DATABASE_URL: url, POSTGRES_URL: undefined, PGSSLMODE: undefined, PGSSLROOTCERT: undefined } });
    return { code: result.code, stderr: result.stderr };
  } finally {
    removeDir(dir);
  }
}

const works = { code: 0, stderr: '' };

// Each case starts the CLI several times: generous per-test time on a shared machine.
jest.setTimeout(180_000);

describe('sslmode against a real PostgreSQL with ssl=on (certificates made by openssl in the test)', () => {
  it('the server really speaks TLS (sanity: ssl=on)', async () => {
    expect(await query(withParams('sslmode=disable'), 'SHOW ssl')).toEqual([{ ssl: 'on' }]);
  });

  it('disable: plain text', async () => {
    expect(await encrypted(withParams('sslmode=disable'))).toBe(false);
    expect(await cli(withParams('sslmode=disable'))).toEqual(works);
  });

  it('prefer, and no sslmode at all (libpq default): encrypted, with a CA nobody told ddlgate about', async () => {
    expect(await encrypted(withParams('sslmode=prefer'))).toBe(true);
    expect(await encrypted(withParams(''))).toBe(true);
    expect(await cli(withParams('sslmode=prefer'))).toEqual(works);
    expect(await cli(withParams(''))).toEqual(works);
  });

  it('require: encrypted, certificate not verified — works with an unknown CA, no driver warning', async () => {
    expect(await encrypted(withParams('sslmode=require'))).toBe(true);
    expect(await cli(withParams('sslmode=require'))).toEqual(works);
  });

  it('verify-ca: fails with the wrong sslrootcert (one readable line, exit 1), works with the right one', async () => {
    const wrong = await cli(withParams(`sslmode=verify-ca&sslrootcert=${file('wrong-ca.pem')}`));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ddlgate: cannot connect to 127\.0\.0\.1:\d+\/postgres: TLS certificate not trusted: .+$/)]);
    expect(wrong.stderr).not.toContain(server.password);
    await expect(encrypted(withParams(`sslmode=verify-ca&sslrootcert=${file('wrong-ca.pem')}`))).rejects.toThrow(/TLS certificate not trusted/);
    expect(await encrypted(withParams(`sslmode=verify-ca&sslrootcert=${file('right-ca.pem')}`))).toBe(true);
    expect(await cli(withParams(`sslmode=verify-ca&sslrootcert=${file('right-ca.pem')}`))).toEqual(works);
  });

  it('require with sslrootcert verifies the chain (libpq): the wrong CA fails, the right one works', async () => {
    expect((await cli(withParams(`sslmode=require&sslrootcert=${file('wrong-ca.pem')}`))).code).toBe(1);
    expect(await cli(withParams(`sslmode=require&sslrootcert=${file('right-ca.pem')}`))).toEqual(works);
  });

  it('verify-full: checks the host name too — the certificate for 127.0.0.1 works; one for another name fails where verify-ca still works', async () => {
    expect(await cli(withParams(`sslmode=verify-full&sslrootcert=${file('right-ca.pem')}`))).toEqual(works);
    expect((await cli(withParams(`sslmode=verify-full&sslrootcert=${file('wrong-ca.pem')}`))).code).toBe(1);
    // Same CA, a certificate for db.other.internal only: the chain is fine, the name is not.
    await serverTls({ ssl_cert_file: file('other-name.pem'), ssl_key_file: file('other-name.key') });
    try {
      const mismatch = await cli(withParams(`sslmode=verify-full&sslrootcert=${file('right-ca.pem')}`));
      expect(mismatch.code).toBe(1);
      expect(mismatch.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ddlgate: cannot connect to 127\.0\.0\.1:\d+\/postgres: TLS certificate not trusted: .*127\.0\.0\.1.*$/)]);
      expect(await cli(withParams(`sslmode=verify-ca&sslrootcert=${file('right-ca.pem')}`))).toEqual(works);
    } finally {
      await serverTls({ ssl_cert_file: file('server.pem'), ssl_key_file: file('server.key') });
    }
  });

  it('a server without TLS: prefer falls back to plain text; require fails with one line', async () => {
    await serverTls({ ssl: 'off' });
    try {
      expect(await encrypted(withParams('sslmode=prefer'))).toBe(false);
      expect(await cli(withParams('sslmode=prefer'))).toEqual(works);
      const required = await cli(withParams('sslmode=require'));
      expect(required.code).toBe(1);
      expect(required.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ddlgate: cannot connect to 127\.0\.0\.1:\d+\/postgres: .*SSL.*$/i)]);
    } finally {
      await serverTls({ ssl: 'on' });
    }
  });
});
