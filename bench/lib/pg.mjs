// PostgreSQL helpers the benchmarks share.
import pg from 'pg';

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

/** libpq environment for psql (no password on its command line). */
export function psqlEnv(url) {
  const u = new URL(url);
  return { PGHOST: u.hostname, PGPORT: u.port || '5432', PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1) };
}
