import { readFileSync } from 'node:fs';
import path from 'node:path';
import { emitMetrics, MigrationMetrics, pushMetrics, recordRun } from '../../src/ops/metrics.js';
import { freePort } from '../../src/db/ephemeral.js';
import { removeDir, tempDir } from '../helpers/pg.js';

describe('migration metrics', () => {
  it('renders the histogram, status gauge and counters in the text format', async () => {
    const metrics = new MigrationMetrics();
    recordRun(metrics, 'up', [{ version: '1', durationMs: 20 }, { version: '2', durationMs: 2000 }], { version: '3' }, false);
    const text = await metrics.text();
    expect(text).toContain('db_migration_duration_seconds_count{version="1",direction="up"} 1');
    expect(text).toContain('db_migration_duration_seconds_sum{version="2",direction="up"} 2');
    expect(text).toContain('db_migration_status{direction="up"} 0');
    expect(text).toContain('db_migration_total{direction="up",status="success"} 2');
    expect(text).toContain('db_migration_total{direction="up",status="failure"} 1');
  });

  it('writes the textfile atomically and turns an unreachable gateway into a warning', async () => {
    const dir = tempDir();
    try {
      const metrics = new MigrationMetrics();
      recordRun(metrics, 'up', [], null, true);
      const port = await freePort();
      const warnings = await emitMetrics(metrics, { metricsFile: path.join(dir, 'sub', 'ddlgate.prom'), pushgateway: `http://user:pw123@127.0.0.1:${port}`, environment: 'staging' });
      expect(readFileSync(path.join(dir, 'sub', 'ddlgate.prom'), 'utf8')).toContain('db_migration_status{direction="up"} 1');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^could not push metrics to http:\/\/\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      expect(await pushMetrics(metrics, 'not a url', null)).toMatch(/not a URL/);
    } finally {
      removeDir(dir);
    }
  });
});
