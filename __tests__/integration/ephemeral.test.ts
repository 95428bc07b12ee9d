import { readdirSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { startEphemeralPostgres, type EphemeralServer } from '../../src/db/ephemeral.js';
import { testMajor } from '../helpers/pg.js';

// Throwaway servers are copies of a per-machine template cluster (initdb once): each copy must still be a
// server of its own, with its own password, and the initdb path must keep working when the template is off.
const source = testMajor() === 15 ? 15 : 'embedded';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const withPassword = (server: EphemeralServer, password: string) => `postgres://${server.user}:${password}@127.0.0.1:${server.port}/postgres`;

describe('throwaway PostgreSQL from the template cluster', () => {
  test('two servers from the template: separate data, each with its own password, wrong passwords refused', async () => {
    const a = await startEphemeralPostgres({ source });
    const b = await startEphemeralPostgres({ source });
    try {
      expect(a.dataDir).not.toBe(b.dataDir);
      expect(a.password).not.toBe(b.password);
      expect(await canConnect(a.url)).toBe(true);
      expect(await canConnect(b.url)).toBe(true);
      expect(await canConnect(withPassword(a, b.password))).toBe(false);
      expect(await canConnect(withPassword(b, 'not-the-password'))).toBe(false);
      // A table made on one server is not on the other: no shared data directory.
      const client = new pg.Client({ connectionString: a.url });
      await client.connect();
      await client.query('CREATE TABLE only_on_a (id int)');
      await client.end();
      const other = new pg.Client({ connectionString: b.url });
      await other.connect();
      const found = await other.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'only_on_a'`);
      await other.end();
      expect(found.rows[0].n).toBe(0);
    } finally {
      await a.stop();
      await b.stop();
    }
    // The template is kept for the next start, closed to other users.
    const templates = readdirSync(os.tmpdir()).filter((name) => name.startsWith('ddlgate-pg-template-') && !name.includes('.building-'));
    expect(templates.length).toBeGreaterThan(0);
  });

  test('DDLGATE_PG_TEMPLATE=0 runs initdb for the server', async () => {
    process.env.DDLGATE_PG_TEMPLATE = '0';
    try {
      const server = await startEphemeralPostgres({ source });
      try {
        expect(await canConnect(server.url)).toBe(true);
        expect(await canConnect(withPassword(server, 'wrong'))).toBe(false);
      } finally {
        await server.stop();
      }
    } finally {
      delete process.env.DDLGATE_PG_TEMPLATE;
    }
  });
});
