// 6. The whole PR check as the check workflow runs it: a throwaway PostgreSQL (started here, as the
// service container would be), then one `node dist/index.js` with command dry-run on a pull request:
// lint of the PR's migrations, replay of the 300-migration base (replay-base), the rolled-back dry-run
// with its lock trace, and the PR comment written to a local stand-in of the GitHub API. Goal ≤ 10 s on
// 2 cores. Self-contained: `node bench/pr-check.mjs [--runs N]` prints its row; bench/run.mjs includes it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const BASE = 300;
const PR_NUMBER = 7;

/** A realistic base: tables, columns, indexes, constraints, a backfill — 300 files, plus the PR's migration. */
function writeMigrations(dir) {
  mkdirSync(dir, { recursive: true });
  const version = (i) => `2025${String(1_000_000 + i).padStart(10, '0')}`;
  for (let i = 0; i < BASE; i++) {
    const table = `t${Math.floor(i / 6)}`;
    const step = i % 6;
    const sql = [
      `CREATE TABLE ${table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
      `ALTER TABLE ${table} ADD COLUMN note text;`,
      `-- ddlgate:no-transaction\nCREATE INDEX CONCURRENTLY ${table}_name_idx ON ${table} (name);`,
      `INSERT INTO ${table} (name) SELECT 'n' || g FROM generate_series(1, 200) g;`,
      `ALTER TABLE ${table} ADD CONSTRAINT ${table}_name_len CHECK (length(name) < 200) NOT VALID;`,
      `ALTER TABLE ${table} VALIDATE CONSTRAINT ${table}_name_len;`,
    ][step];
    writeFileSync(path.join(dir, `${version(i)}_m${i}.up.sql`), `${sql}\n`);
  }
  const pr = `${version(BASE)}_pr_change.up.sql`;
  writeFileSync(path.join(dir, pr), 'CREATE INDEX t3_created_idx ON t3 (created_at);\nALTER TABLE t7 ADD COLUMN region text NOT NULL DEFAULT \'eu\';\nALTER TABLE t9 ALTER COLUMN name TYPE varchar(100);\n');
  return `migrations/${pr}`;
}

/** Just the API calls the action makes on a PR, answered as GitHub answers them. */
function fakeGitHub(prFile) {
  const comments = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/user') return send(403, { message: 'Resource not accessible by integration' });
      if (url.pathname === '/graphql') return send(200, { data: { viewer: { login: 'github-actions', __typename: 'Bot' } } });
      if (url.pathname.endsWith(`/pulls/${PR_NUMBER}/files`)) return send(200, [{ filename: prFile, status: 'added', sha: '0'.repeat(40) }]);
      if (url.pathname.endsWith(`/pulls/${PR_NUMBER}/reviews`)) return req.method === 'GET' ? send(200, []) : send(200, { id: 1 });
      if (url.pathname.endsWith(`/issues/${PR_NUMBER}/comments`)) {
        if (req.method === 'GET') return send(200, comments);
        const comment = { id: comments.length + 1, body: JSON.parse(raw).body, user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: 'https://github.com/acme/shop/pull/7#c' };
        comments.push(comment);
        return send(201, comment);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, comments, url: `http://127.0.0.1:${server.address().port}` })));
}

function runAction(workspace, apiUrl, databaseUrl) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-pr-'));
  const event = path.join(scratch, 'event.json');
  const repo = { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } };
  writeFileSync(event, JSON.stringify({ number: PR_NUMBER, pull_request: { number: PR_NUMBER, head: { sha: 'a'.repeat(40), repo }, base: { sha: 'b'.repeat(40), repo } }, repository: repo }));
  for (const f of ['output', 'summary']) writeFileSync(path.join(scratch, f), '');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_RUN_ID: '1',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(scratch, 'output'),
    GITHUB_STEP_SUMMARY: path.join(scratch, 'summary'),
    RUNNER_TEMP: scratch,
    INPUT_COMMAND: 'dry-run',
    'INPUT_MIGRATIONS-DIR': 'migrations',
    'INPUT_DATABASE-URL': databaseUrl,
    'INPUT_REPLAY-BASE': 'true',
    'INPUT_FAIL-ON': 'never',
    'INPUT_GITHUB-TOKEN': 'ghs_bench',
    INPUT_COMMENT: 'auto',
    'INPUT_CHANGED-ONLY': 'auto',
    'INPUT_REVIEW-COMMENTS': 'auto',
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // The action reports its own CPU time (user + system, all threads) as it exits: a one-line preload.
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(CPU_REPORT)}`, path.join(ROOT, 'dist', 'index.js')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const summary = readFileSync(path.join(scratch, 'summary'), 'utf8');
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code, ms, out, summary, cpuMs: childCpuMs(out) });
    });
  });
}

const CPU_REPORT = "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\nddlgate-bench-cpu ${u.user + u.system}\\n`); });";

/** The action's CPU time in ms from its exit line, or null. */
function childCpuMs(out) {
  const match = /ddlgate-bench-cpu (\d+)/.exec(out);
  return match ? Number(match[1]) / 1000 : null;
}

/** CPU time of a PostgreSQL server: the postmaster's own and its exited backends' (Linux /proc), or null. */
function postgresCpuMs(dataDir) {
  try {
    const pid = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run({ runs = 3, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const { startEphemeralPostgres } = await import(pathToFileURL(path.join(ROOT, 'lib', 'db', 'ephemeral.js')).href);
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-prws-'));
  const prFile = writeMigrations(path.join(workspace, 'migrations'));
  const api = await fakeGitHub(prFile);
  const totals = [];
  const actions = [];
  const starts = [];
  const actionCpu = [];
  const postgresCpu = [];
  try {
    for (let round = 0; round < runs; round++) {
      log(`pr-check: round ${round + 1}/${runs}`);
      api.comments.length = 0;
      const t0 = performance.now();
      const server = await startEphemeralPostgres();
      const up = performance.now() - t0;
      try {
        const pgBefore = postgresCpuMs(server.dataDir);
        const result = await runAction(workspace, api.url, server.url);
        // The action's connections have closed: their backends' CPU is now in the postmaster's children time.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const pgAfter = postgresCpuMs(server.dataDir);
        if (result.cpuMs !== null) actionCpu.push(result.cpuMs);
        if (pgBefore !== null && pgAfter !== null) postgresCpu.push(pgAfter - pgBefore);
        if (result.code !== 0) throw new Error(`the action failed (exit ${result.code}): ${result.out.trim().split('\n').slice(-3).join(' | ')}`);
        if (!/replay-base: applying the 300 migration\(s\)/.test(result.out)) throw new Error('replay-base did not replay the 300-migration base');
        if (api.comments.length !== 1) throw new Error('no PR comment was written');
        starts.push(up);
        actions.push(result.ms);
        totals.push(up + result.ms);
      } finally {
        await server.stop();
      }
    }
  } finally {
    api.server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
  const total = median(totals);
  return {
    rows: [
      {
        benchmark: `Whole PR check: lint, throwaway PostgreSQL, replay of a ${BASE}-migration base, dry-run, comment`,
        subject: 'PostgreSQL start + node dist/index.js (dry-run, replay-base)',
        baseline: 'goal 10 s',
        subjectMs: total,
        baselineMs: 10_000,
        ratio: total / 10_000,
        goal: '≤ 10 s',
        met: total <= 10_000,
        details: { postgresStartMs: median(starts), actionMs: median(actions), ...(actionCpu.length ? { actionCpuMs: median(actionCpu) } : {}), ...(postgresCpu.length ? { postgresCpuMs: median(postgresCpu) } : {}) },
      },
    ],
    notes: [
      `PR check split (medians of ${runs}): PostgreSQL start ${Math.round(median(starts))} ms, the action (lint + replay of ${BASE} + dry-run + comment) ${Math.round(median(actions))} ms.`,
      ...(actionCpu.length && postgresCpu.length
        ? [`PR check CPU time (medians of ${runs}; what the work costs whatever else the machine runs): the action process ${Math.round(median(actionCpu))} ms, PostgreSQL's backends for the action ${Math.round(median(postgresCpu))} ms. The action waits on PostgreSQL and PostgreSQL on it, one round trip at a time, so on a loaded machine the wall time grows with every wait for a core.`]
        : []),
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runsArg = process.argv.indexOf('--runs');
  const result = await run({ runs: runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3 });
  const row = result.rows[0];
  process.stdout.write(`| ${row.benchmark} | ${row.subject} | ${(row.subjectMs / 1000).toFixed(2)} s | ${row.goal} | ${row.met ? 'met' : '**NOT met**'} |\n${result.notes.join('\n')}\n`);
}
