import { startEphemeralPostgres } from '/work/wt/faults/lib/db/ephemeral.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
const s = await startEphemeralPostgres({ source: 'embedded' });
const dir = mkdtempSync('/tmp/ddlg-');
writeFileSync(dir + '/1_a.up.sql', 'CREATE TABLE a (id int);');
for (let i = 0; i < 3; i++) {
  const t = Date.now();
  const r = spawnSync(process.execPath, [process.env.BIN, 'up', '--dir', dir], { env: { ...process.env, DATABASE_URL: s.url }, encoding: 'utf8' });
  console.log(Date.now() - t, 'ms', r.status, r.stderr.trim().slice(0, 200));
}
await s.stop();
