import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { driverConfig } from '../../src/db/connection.js';

// libpq's meaning of sslmode, read through pg-connection-string's libpq mode (no driver warning).
describe('sslmode as libpq reads it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-ssl-'));
  const ca = path.join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const base = 'postgres://u:p@db.example.com:5432/app';
  const ssl = (url: string, env: NodeJS.ProcessEnv = {}) => {
    const { config, sslmode } = driverConfig(url, env);
    const value = config.ssl as any;
    return { sslmode, ssl: value === false || value === undefined ? value : { verify: value.rejectUnauthorized !== false, hostname: value.rejectUnauthorized !== false && typeof value.checkServerIdentity !== 'function', ca: Boolean(value.ca) } };
  };
  let warnings: string[];
  const original = process.emitWarning;
  const originalError = console.error;
  beforeEach(() => {
    warnings = [];
    process.emitWarning = ((w: string | Error) => void warnings.push(String(w))) as typeof process.emitWarning;
    console.error = (...args: unknown[]) => void warnings.push(args.join(' '));
  });
  afterEach(() => {
    process.emitWarning = original;
    console.error = originalError;
    expect(warnings).toEqual([]);
  });

  it('disable: plain text', () => expect(ssl(`${base}?sslmode=disable`)).toEqual({ sslmode: 'disable', ssl: false }));
  it('prefer (and no sslmode at all, as libpq): TLS without verification, plain text if the server has none', () => {
    expect(ssl(`${base}?sslmode=prefer`)).toEqual({ sslmode: 'prefer', ssl: { verify: false, hostname: false, ca: false } });
    expect(ssl(base)).toEqual({ sslmode: 'prefer', ssl: { verify: false, hostname: false, ca: false } });
  });
  it('require: encrypted, certificate not verified (the managed-database case)', () => expect(ssl(`${base}?sslmode=require`)).toEqual({ sslmode: 'require', ssl: { verify: false, hostname: false, ca: false } }));
  it('require with sslrootcert: the chain is verified, like verify-ca', () => expect(ssl(`${base}?sslmode=require&sslrootcert=${ca}`)).toEqual({ sslmode: 'require', ssl: { verify: true, hostname: false, ca: true } }));
  it('verify-ca: chain only; verify-full: chain and host name', () => {
    expect(ssl(`${base}?sslmode=verify-ca&sslrootcert=${ca}`)).toEqual({ sslmode: 'verify-ca', ssl: { verify: true, hostname: false, ca: true } });
    expect(ssl(`${base}?sslmode=verify-full&sslrootcert=${ca}`)).toEqual({ sslmode: 'verify-full', ssl: { verify: true, hostname: true, ca: true } });
    expect(ssl(`${base}?sslmode=verify-full`)).toEqual({ sslmode: 'verify-full', ssl: { verify: true, hostname: true, ca: false } });
  });
  it('PGSSLMODE / PGSSLROOTCERT apply when the URL says nothing', () => {
    expect(ssl(base, { PGSSLMODE: 'disable' })).toEqual({ sslmode: 'disable', ssl: false });
    expect(ssl(base, { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: ca })).toEqual({ sslmode: 'verify-ca', ssl: { verify: true, hostname: false, ca: true } });
  });
  it('bad values are one line, exit 2, naming the parameter', () => {
    expect(() => driverConfig(`${base}?sslmode=requir`)).toThrow(/sslmode=requir is not one of disable, allow, prefer, require, verify-ca, verify-full/);
    expect(() => driverConfig(`${base}?sslmode=verify-ca`, {})).toThrow(/verify-ca needs sslrootcert/);
    expect(() => driverConfig(`${base}?sslmode=require&sslrootcert=/nonexistent/ca.pem`)).toThrow(/sslrootcert file cannot be read: \/nonexistent\/ca\.pem/);
  });
});
