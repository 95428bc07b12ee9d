import { startEphemeralPostgres } from '/work/wt/faults/lib/db/ephemeral.js';
import pg from 'pg';
const s = await startEphemeralPostgres({ source: 'embedded' });
console.log(s.url);
const c = new pg.Client({ connectionString: s.url }); c.on('error', e=>console.log('client error event', e.message)); await c.connect();
await c.query(`CREATE ROLE app NOLOGIN; GRANT app TO CURRENT_USER; CREATE SCHEMA trk; CREATE TABLE trk.t(x int); REVOKE ALL ON SCHEMA trk FROM app;`);
await c.query(`BEGIN; SET ROLE app; SET LOCAL SESSION AUTHORIZATION DEFAULT; SET LOCAL ROLE NONE; INSERT INTO trk.t VALUES (1); SELECT current_user`);
await c.query('COMMIT');
console.log('after commit', (await c.query('SELECT current_user, session_user')).rows);
await c.query('RESET ROLE');
// CIC waiting: pg_blocking_pids
const h = new pg.Client({ connectionString: s.url, application_name: 'report' }); await h.connect();
await c.query('CREATE TABLE big(x int); INSERT INTO big SELECT generate_series(1,1000)');
await h.query('BEGIN'); await h.query('INSERT INTO big VALUES (1)');
const p = c.query('CREATE INDEX CONCURRENTLY big_x ON big(x)');
await new Promise(r => setTimeout(r, 1000));
const o = new pg.Client({ connectionString: s.url }); await o.connect();
console.log((await o.query(`SELECT pid, wait_event_type, wait_event, pg_blocking_pids(pid) b FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%'`)).rows, h.processID);
await h.query('COMMIT'); await p;
// destroy stream mid query
const q = c.query('SELECT pg_sleep(3)');
setTimeout(() => { const e = new Error('network dead: test'); e.code='ETIMEDOUT'; c.connection.stream.destroy(e); }, 300);
try { await q } catch (e) { console.log('err', e.message, e.code) }
try { await c.query('select 1') } catch (e) { console.log('err2', e.message, e.code) }
await o.end(); await h.end();
await s.stop();
