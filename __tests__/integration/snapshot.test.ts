import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { query, removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
const cli = (url: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { DATABASE_URL: url, POSTGRES_URL: undefined, DDLGATE_REDACT_KEY: undefined, ...env } });

// Values no statistic may ever carry into the snapshot: each is distinctive enough to grep for.
const SECRETS = ['hunter2-Zq8vQ', 'sk_live_51HxAbCdEf', '4111-1111-1111-1111', 'alice.secret@example.org', '424242.4242'];

async function secretsDatabase(): Promise<string> {
  const url = await db.createDatabase('snapshot');
  await query(url, `CREATE SCHEMA billing_vault`);
  await query(url, `CREATE TYPE billing_vault.card_brand AS ENUM ('visa', 'amex')`);
  await query(url, `CREATE TABLE billing_vault.customer_secrets (
      secret_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      api_token text NOT NULL,
      card_number text,
      contact_email text UNIQUE,
      balance_cents numeric(12, 4),
      brand billing_vault.card_brand,
      CONSTRAINT balance_nonnegative_chk CHECK (balance_cents >= 0))`);
  await query(url, `CREATE INDEX customer_secrets_token_idx ON billing_vault.customer_secrets (api_token)`);
  // Many copies of each secret so that they become most-common values and histogram bounds in pg_stats.
  await query(url, `INSERT INTO billing_vault.customer_secrets (api_token, card_number, contact_email, balance_cents, brand)
      SELECT $1 || (g % 3), $2, CASE WHEN g = 1 THEN $3 END, $4::numeric, 'visa' FROM generate_series(1, 2000) AS g`, [SECRETS[0], SECRETS[2], SECRETS[3], SECRETS[4]]);
  await query(url, `UPDATE billing_vault.customer_secrets SET api_token = $1 WHERE secret_id % 7 = 0`, [SECRETS[1]]);
  await query(url, `CREATE TABLE public.tiny_lookup (code text PRIMARY KEY)`);
  await query(url, `ANALYZE`);
  return url;
}

describe('ddlgate snapshot', () => {
  it('writes statistics only: sizes, rows, columns, indexes, constraints, activity — and no row value', async () => {
    const url = await secretsDatabase();
    // The secrets are in pg_stats (the planner's samples) — the snapshot must not read them from there either.
    const sampled = await query(url, `SELECT most_common_vals::text AS v FROM pg_stats WHERE tablename = 'customer_secrets' AND attname = 'card_number'`);
    expect(sampled[0].v).toContain(SECRETS[2]);
    const dir = tempDir();
    try {
      const file = path.join(dir, 'snapshot.json');
      const result = await cli(url, ['snapshot', '--out', file]);
      expect(result.stderr).toMatch(/snapshot of 2 table\(s\) written/);
      expect(result.code).toBe(0);
      const text = readFileSync(file, 'utf8');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      for (const secret of SECRETS) expect(text).not.toContain(secret.slice(0, 8));
      const snapshot = JSON.parse(text);
      expect(Object.keys(snapshot)).toEqual(['format', 'takenAt', 'server', 'statsReset', 'redacted', 'schema', 'tables']);
      expect(Object.keys(snapshot.tables)).toEqual(['billing_vault.customer_secrets', 'public.tiny_lookup']);
      const table = snapshot.tables['billing_vault.customer_secrets'];
      expect(table.rows).toBe(2000);
      expect(table.heapBytes).toBeGreaterThan(8192);
      expect(table.indexBytes).toBeGreaterThan(0);
      expect(table.columns.map((c: any) => c.name)).toEqual(['secret_id', 'api_token', 'card_number', 'contact_email', 'balance_cents', 'brand']);
      expect(table.columns[1]).toEqual({ name: 'api_token', type: 'text', notNull: true });
      expect(table.columns[4].type).toBe('numeric(12,4)');
      expect(table.indexes.map((i: any) => [i.name, i.unique, i.primary, i.valid])).toEqual([
        ['customer_secrets_contact_email_key', true, false, true],
        ['customer_secrets_pkey', true, true, true],
        ['customer_secrets_token_idx', false, false, true],
      ]);
      expect(table.constraints.filter((c: any) => c.type !== 'n').map((c: any) => [c.name, c.type, c.validated])).toEqual([
        ['balance_nonnegative_chk', 'c', true],
        ['customer_secrets_contact_email_key', 'u', true],
        ['customer_secrets_pkey', 'p', true],
      ]);
      expect(table.activity.inserts).toBe(2000);
      expect(table.activity.updates).toBeGreaterThan(0);
      expect(snapshot.schema.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(snapshot.schema.objects['table billing_vault.customer_secrets']).toMatch(/^[0-9a-f]{16}$/);
      expect(snapshot.server.major).toBe(Number(process.env.DDLGATE_TEST_PG === '15' ? 15 : 18));

      // Stable: a second snapshot of the unchanged database is the same text but for the time it was taken.
      const again = await cli(url, ['snapshot']);
      expect(again.code).toBe(0);
      const strip = (s: string) => s.replace(/"takenAt": "[^"]+"/, '').replace(/"(seqScans|indexScans)": \d+/g, '');
      expect(strip(again.stdout)).toBe(strip(text));
    } finally {
      removeDir(dir);
    }
  });

  it('--redact leaves no identifier: schema, table, column, index, constraint and type names are hashes', async () => {
    const url = await secretsDatabase();
    const result = await cli(url, ['snapshot', '--redact']);
    expect(result.code).toBe(0);
    const text = result.stdout;
    const identifiers = ['billing_vault', 'customer_secrets', 'secret_id', 'api_token', 'card_number', 'contact_email', 'balance_cents', 'brand', 'card_brand',
      'balance_nonnegative_chk', 'customer_secrets_token_idx', 'customer_secrets_pkey', 'tiny_lookup', 'code', 'public'];
    for (const name of identifiers) expect(text.toLowerCase()).not.toContain(name);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const snapshot = JSON.parse(text);
    expect(snapshot.redacted).toBe(true);
    expect(Object.keys(snapshot.tables)).toHaveLength(2);
    for (const key of Object.keys(snapshot.tables)) expect(key).toMatch(/^h_[0-9a-f]{12}\.h_[0-9a-f]{12}$/);
    for (const key of Object.keys(snapshot.schema.objects)) expect(key).toMatch(/^h_[0-9a-f]{12}$/);
    // Same names, same hashes: two redacted snapshots still diff table by table; a key changes them all.
    const again = await cli(url, ['snapshot', '--redact']);
    expect(Object.keys(JSON.parse(again.stdout).tables)).toEqual(Object.keys(snapshot.tables));
    const keyed = await cli(url, ['snapshot', '--redact'], { DDLGATE_REDACT_KEY: 'team-secret' });
    expect(Object.keys(JSON.parse(keyed.stdout).tables).some((k) => k in snapshot.tables)).toBe(false);
  });

  it('bad input is one line and exit 2', async () => {
    const missing = await runCli(['snapshot'], { env: { DATABASE_URL: undefined, POSTGRES_URL: undefined } });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const badDir = await cli(db.url, ['snapshot', '--out', '/nonexistent-dir/x/snapshot.json']);
    expect(badDir.code).toBe(2);
    expect(badDir.stderr).toMatch(/^ddlgate: --out \/nonexistent-dir\/x\/snapshot.json: cannot write/);
  });
});

describe('lint --stats with a snapshot of a real database', () => {
  it('a finding on a 200-row table is info with its reason; on a 1M-row table an error with size and estimate', async () => {
    const url = await db.createDatabase('impact');
    await query(url, `CREATE TABLE countries (code text PRIMARY KEY, name text)`);
    await query(url, `INSERT INTO countries SELECT 'c' || g, 'Country ' || g FROM generate_series(1, 200) AS g`);
    await query(url, `CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int NOT NULL, note text)`);
    await query(url, `INSERT INTO orders (customer_id, note) SELECT g % 5000, 'note ' || g FROM generate_series(1, 1000000) AS g`);
    await query(url, `ANALYZE`);
    const dir = tempDir({
      'migrations/20260101000000_indexes.up.sql': 'CREATE INDEX countries_name_idx ON countries (name);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n',
    });
    try {
      const stats = path.join(dir, 'stats.json');
      expect((await cli(url, ['snapshot', '--out', stats])).code).toBe(0);
      const result = await runCli(['lint', '--dir', path.join(dir, 'migrations'), '--stats', stats, '--format', 'json'], { cwd: dir });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
      const findings = JSON.parse(result.stdout).files[0].findings;
      const small = findings.find((f: any) => f.message.includes('countries_name_idx') || f.impact?.table === 'public.countries');
      const big = findings.find((f: any) => f.impact?.table === 'public.orders');
      expect(small.rule).toBe('create-index-not-concurrently');
      expect(small.severity).toBe('info');
      expect(small.message).toMatch(/— info: public\.countries has 200 rows, \d+ kB in production \([^)]*\): the lock is held for milliseconds/);
      expect(small.impact).toMatchObject({ table: 'public.countries', rows: 200 });
      expect(big.severity).toBe('error');
      expect(big.impact.rows).toBeGreaterThan(900_000);
      expect(big.impact.bytes).toBeGreaterThan(40 * 2 ** 20);
      const [lo, hi] = big.impact.estimateSeconds;
      expect(lo).toBeGreaterThan(0);
      expect(hi).toBeGreaterThan(lo);
      expect(big.message).toMatch(/public\.orders has [\d,]+ rows, \d+ MB in production .*: blocks writes for an estimated [\d.]+–[\d.]+ (s|min) \(index build\)/);
      expect(JSON.parse(result.stdout).summary).toEqual({ errors: 1, warnings: 0, infos: 1 });

      // Text output carries the same reason; a broken snapshot file is one line, exit 2.
      const text = await runCli(['lint', '--dir', path.join(dir, 'migrations'), '--stats', stats], { cwd: dir });
      expect(text.stdout).toMatch(/public\.countries has 200 rows/);
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, '{"format": "nope"}');
      const refused = await runCli(['lint', '--dir', path.join(dir, 'migrations'), '--stats', bad], { cwd: dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toMatch(/^ddlgate: .*bad\.json: not a ddlgate snapshot: "format" must be/);

      // dry-run --stats: every traced lock on a table the snapshot knows gets its production size and estimate.
      const dryRun = await cli(url, ['dry-run', '--dir', path.join(dir, 'migrations'), '--stats', stats, '--format', 'json']);
      expect(dryRun.stderr).toBe('');
      const locks = JSON.parse(dryRun.stdout).migrations[0].statements.flatMap((st: any) => st.locks.filter((l: any) => l.impact));
      expect(locks.map((l: any) => [l.relation, l.impact.operation])).toEqual([['public.countries', 'index build'], ['public.orders', 'index build']]);
      expect(locks[1].impact).toMatchObject({ rows: big.impact.rows, bytes: big.impact.bytes, estimateSeconds: big.impact.estimateSeconds });
      const dryRunText = await cli(url, ['dry-run', '--dir', path.join(dir, 'migrations'), '--stats', stats]);
      expect(dryRunText.stdout).toMatch(/lock ShareLock on public\.orders \(blocks writes\)\n\s+in production: public\.orders: [\d,]+ rows, \d+ MB in production — blocks writes for an estimated [\d.]+–[\d.]+ (s|min) \(index build\)/);
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});
