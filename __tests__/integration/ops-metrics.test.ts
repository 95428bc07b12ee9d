import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/db/ephemeral.js';
import { removeDir, runCli, tempDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();

// A real Prometheus Pushgateway (Debian prometheus-pushgateway) on a loopback port, with its state in a temp file.
let gateway: ChildProcess | undefined;
let gatewayUrl = '';
let gatewayDir = '';
beforeAll(async () => {
  gatewayDir = tempDir();
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  gateway = spawn('/usr/bin/prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${path.join(gatewayDir, 'state')}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${gatewayUrl}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('pushgateway did not start');
}, 30_000);
afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway!.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  removeDir(gatewayDir);
});

const cli = (url: string, dir: string, ...args: string[]) => runCli(['up', '--dir', dir, ...args], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });

describe('Prometheus metrics', () => {
  it('pushes to a real Pushgateway (job ddlgate, grouped by environment) and writes the textfile', async () => {
    const url = await db.createDatabase('metrics');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '2_b.up.sql': 'CREATE TABLE b (id int);', '3_bad.up.sql': 'SELECT 1/0;' });
    try {
      const file = path.join(dir, 'textfile', 'ddlgate.prom');
      const result = await cli(url, dir, '--to', '2', '--pushgateway', gatewayUrl, '--metrics-file', file, '--environment', 'staging');
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/warning/);
      const scraped = await (await fetch(`${gatewayUrl}/metrics`)).text();
      const series = (name: string) => scraped.split('\n').filter((line) => line.startsWith(name) && line.includes('job="ddlgate"'));
      expect(series('db_migration_status{')).toEqual(['db_migration_status{direction="up",environment="staging",instance="",job="ddlgate"} 1']);
      expect(series('db_migration_total{')).toContain('db_migration_total{direction="up",environment="staging",instance="",job="ddlgate",status="success"} 2');
      expect(series('db_migration_duration_seconds_count{').sort()).toEqual([
        'db_migration_duration_seconds_count{direction="up",environment="staging",instance="",job="ddlgate",version="1"} 1',
        'db_migration_duration_seconds_count{direction="up",environment="staging",instance="",job="ddlgate",version="2"} 1',
      ]);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('# TYPE db_migration_duration_seconds histogram');
      expect(text).toContain('db_migration_status{direction="up"} 1');

      // A failed run pushes status 0 and a failure count, to its own environment group. It runs on a
      // database of its own: this one is now labelled staging, so a production run here is refused before
      // any statement (the environment identity check) and never reaches the failing migration.
      const productionUrl = await db.createDatabase('metricsprod');
      const failed = await cli(productionUrl, dir, '--pushgateway', gatewayUrl, '--environment', 'production', '--no-backup');
      expect(failed.stderr).toMatch(/3_bad/);
      expect(failed.code).toBe(1);
      const after = await (await fetch(`${gatewayUrl}/metrics`)).text();
      expect(after).toContain('db_migration_status{direction="up",environment="production",instance="",job="ddlgate"} 0');
      expect(after).toContain('db_migration_total{direction="up",environment="production",instance="",job="ddlgate",status="failure"} 1');
      expect(after).toContain('db_migration_status{direction="up",environment="staging",instance="",job="ddlgate"} 1');
    } finally {
      removeDir(dir);
    }
  });

  it('records rollbacks with direction "down"', async () => {
    const url = await db.createDatabase('metricsdown');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;', '2_b.up.sql': 'CREATE TABLE b (id int);', '2_b.down.sql': 'DROP TABLE b;' });
    try {
      expect((await cli(url, dir)).code).toBe(0);
      const file = path.join(dir, 'down.prom');
      const down = await runCli(['down', '--dir', dir, '--steps', '2', '--metrics-file', file], { env: { DATABASE_URL: url, POSTGRES_URL: undefined } });
      expect(down.code).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('db_migration_status{direction="down"} 1');
      expect(text).toContain('db_migration_total{direction="down",status="success"} 2');
      expect(text).toMatch(/db_migration_duration_seconds_count\{version="2",direction="down"\} 1|db_migration_duration_seconds_count\{direction="down",version="2"\} 1/);
    } finally {
      removeDir(dir);
    }
  });

  it('a push that fails is a warning, never a failed migration', async () => {
    const url = await db.createDatabase('metrics_down');
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);' });
    try {
      const port = await freePort();
      const result = await cli(url, dir, '--pushgateway', `http://127.0.0.1:${port}`);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Applied 1 migration(s)');
      expect(result.stderr).toMatch(/^ddlgate: warning: could not push metrics to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/m);
      expect(await db.query(url, `SELECT version FROM ddlgate.schema_migrations`)).toEqual([{ version: '1' }]);
    } finally {
      removeDir(dir);
    }
  });
});
