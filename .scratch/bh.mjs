import { startEphemeralPostgres } from '/work/wt/faults/lib/db/ephemeral.js';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
const srv = createServer((s) => { s.on('data', () => {}); }); // a blackhole: accepts, never answers
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const url = `postgres://u:p@127.0.0.1:${srv.address().port}/x`;
const t = Date.now();
const r = spawnSync(process.execPath, ['bin/ddlgate.js', 'up', '--dir', '/tmp/faults-bhdir'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
console.log(Date.now() - t, r.status, r.stdout, r.stderr);
srv.close();
