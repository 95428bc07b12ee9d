import { removeDir, runCli, tempDir, useTestDatabase, type CliResult } from '../helpers/pg.js';

// A database password is a unique marker; failing commands of every kind must not print or store it.
const db = useTestDatabase();
const MARKER = `Mk${process.pid}xQz7pW`;

function withPassword(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

function expectNoMarker(label: string, ...texts: string[]): void {
  for (const text of texts) {
    if (text.includes(MARKER) || text.includes(encodeURIComponent(MARKER))) throw new Error(`${label}: the password appeared in ${JSON.stringify(text.slice(0, 400))}`);
  }
}

describe('secrets never leak', () => {
  it('keeps the password out of stdout, stderr, JSON reports and history rows of failing commands', async () => {
    const url = await db.createDatabase('secrets');
    await db.query(url, `CREATE ROLE marker_user LOGIN SUPERUSER PASSWORD '${MARKER}'`);
    const good = withPassword(url, 'marker_user', MARKER);
    const wrongPassword = withPassword(url, 'marker_user', `${MARKER}-wrong`);
    const unreachable = `postgres://marker_user:${MARKER}@127.0.0.1:1/secrets`;
    const unknownHost = `postgres://marker_user:${MARKER}@no-such-host.invalid:5432/secrets`;
    const malformed = `postgres://marker_user:${MARKER}@127.0.0.1:notaport/secrets`;
    const dir = tempDir({
      '1_ok.up.sql': 'CREATE TABLE ok (id int);',
      '1_ok.down.sql': 'DROP TABLE ok;',
      '2_fails.up.sql': `CREATE TABLE t2 (id int);\nSELECT * FROM relation_that_does_not_exist;`,
    });
    const results: Array<[string, CliResult]> = [];
    try {
      for (const [label, target] of [
        ['wrong password', wrongPassword],
        ['unreachable', unreachable],
        ['unknown host', unknownHost],
        ['malformed', malformed],
        ['good', good],
      ] as const) {
        for (const command of [['up'], ['dry-run', '--format', 'json'], ['status', '--format', 'json'], ['down'], ['up', '--format', 'json']]) {
          const result = await runCli([...command, '--dir', dir], { env: { DATABASE_URL: target, POSTGRES_URL: undefined, DDLGATE_DEBUG: undefined } });
          results.push([`${label}: ${command.join(' ')}`, result]);
        }
        // Passed as an option rather than through the environment, too.
        results.push([`${label}: status --database-url`, await runCli(['status', '--dir', dir, '--database-url', target])]);
      }
      for (const [label, result] of results) expectNoMarker(label, result.stdout, result.stderr);
      // The failing commands did fail, and said why in words.
      const byLabel = new Map(results);
      expect(byLabel.get('wrong password: up')!.stderr).toMatch(/password authentication failed/);
      expect(byLabel.get('unreachable: up')!.stderr).toMatch(/connection refused/);
      expect(byLabel.get('malformed: up')!.code).toBe(2);
      expect(byLabel.get('good: up')!.stderr).toMatch(/2_fails\.up\.sql:2: relation "relation_that_does_not_exist" does not exist/);
      const stored = await db.query(url, `SELECT row_to_json(h)::text AS row FROM ddlgate.migration_history h UNION ALL SELECT row_to_json(m)::text FROM ddlgate.schema_migrations m`);
      expect(stored.length).toBeGreaterThan(2);
      expectNoMarker('tracking tables', ...stored.map((r) => r.row));
      const activity = await db.query(url, `SELECT string_agg(coalesce(application_name, '') || ' ' || coalesce(query, ''), E'\\n') AS text FROM pg_stat_activity`);
      expectNoMarker('pg_stat_activity', activity[0].text ?? '');
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});
