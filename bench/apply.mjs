// 2. Apply throughput: 500 small migrations on an empty database — `ddlgate up` vs psql running each file
// in its own transaction (the floor), node-pg-migrate and postgrator on the same SQL. Goal: ≤ 1.3× psql
// and faster than both peers. Round trips per migration are counted through a proxy (never while timing).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { psqlScript, smallMigrations, writeLayouts } from './lib/generate.mjs';
import { runTimed, summarize } from './lib/measure.mjs';
import { BENCH_DIR, LIB_DIR, NODE, DDLGATE_BIN, ROOT } from './lib/paths.mjs';
import { createDatabase, dropDatabase, psqlEnv, query } from './lib/pg.mjs';
import { startRoundTripProxy } from './lib/round-trips.mjs';

const COUNT = 500;
/** Round trips per migration are constant, so a shorter list counts them as well, in less time. */
const RT_COUNT = 50;
const NPM_BIN = path.join(ROOT, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
const POSTGRATOR = path.join(BENCH_DIR, 'drivers', 'postgrator.mjs');
const CORE_UP = path.join(BENCH_DIR, 'drivers', 'ddlgate-core-up.mjs');

function commands(dirs, scriptFile, psql) {
  return {
    psql: (url) => [psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', scriptFile], psqlEnv(url)],
    ddlgate: (url) => [NODE, [DDLGATE_BIN, 'up', '--dir', dirs.ddlgate, '--database-url', url], {}],
    'node-pg-migrate': (url) => [NODE, [NPM_BIN, 'up', '-m', dirs['node-pg-migrate'], '--no-single-transaction', '--no-verbose'], { DATABASE_URL: url }],
    postgrator: (url) => [NODE, [POSTGRATOR, url, dirs.postgrator], {}],
    // Informational: the runner without the CLI's drift check and per-migration catalog fingerprint.
    'ddlgate-core': (url) => [NODE, [CORE_UP, LIB_DIR, url, dirs.ddlgate], {}],
  };
}

async function appliedTables(url) {
  const result = await query(url, `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'm\\_%\\_created_at_idx'`);
  return result.rows[0].n;
}

export async function run({ server, workDir, runs, log, psql }) {
  const migrations = smallMigrations(COUNT);
  const dirs = writeLayouts(path.join(workDir, 'apply'), migrations);
  const scriptFile = path.join(workDir, 'apply', 'floor.psql');
  writeFileSync(scriptFile, psqlScript(dirs.psql, migrations));
  const cmds = commands(dirs, scriptFile, psql);
  const tools = Object.keys(cmds);
  const samples = Object.fromEntries(tools.map((t) => [t, []]));
  const notes = [];

  // Rounds interleave the tools so drift on a noisy machine hits them all alike.
  for (let round = 0; round < runs; round++) {
    for (const tool of tools) {
      log(`apply: round ${round + 1}/${runs} ${tool}`);
      const url = await createDatabase(server.url, 'apply');
      const [file, args, env] = cmds[tool](url);
      const result = await runTimed(file, args, { env, cwd: ROOT });
      if (result.code !== 0) throw new Error(`${tool} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      if (round === 0) {
        const n = await appliedTables(url);
        if (n !== COUNT) throw new Error(`${tool} applied ${n} of ${COUNT} migrations`);
      }
      samples[tool].push(result);
      await dropDatabase(server.url, url);
    }
  }
  const stats = Object.fromEntries(tools.map((t) => [t, summarize(samples[t])]));

  // The shell-loop variant of the floor (one psql process per file): what most scripts do; for context.
  log('apply: psql per-file loop (context, one run)');
  const loopUrl = await createDatabase(server.url, 'apply');
  const loopStarted = performance.now();
  for (const m of migrations) {
    const file = path.join(dirs.psql, `${String(m.seq).padStart(4, '0')}_${m.name}.sql`);
    const result = await runTimed(psql, ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', file], { env: psqlEnv(loopUrl), memory: false });
    if (result.code !== 0) throw new Error(`psql loop failed on ${file}: ${result.stderr.trim()}`);
  }
  const loopMs = performance.now() - loopStarted;
  await dropDatabase(server.url, loopUrl);

  log(`apply: round trips (${RT_COUNT} migrations, through a counting proxy)`);
  const rtMigrations = migrations.slice(0, RT_COUNT);
  const rtDirs = writeLayouts(path.join(workDir, 'apply-rt'), rtMigrations);
  const rtScript = path.join(workDir, 'apply-rt', 'floor.psql');
  writeFileSync(rtScript, psqlScript(rtDirs.psql, rtMigrations));
  const rtCmds = commands(rtDirs, rtScript, psql);
  const roundTrips = {};
  for (const tool of tools) {
    const url = await createDatabase(server.url, 'apply');
    const proxy = await startRoundTripProxy(url);
    try {
      const [file, args, env] = rtCmds[tool](proxy.url);
      const first = await runTimed(file, args, { env, cwd: ROOT, memory: false });
      if (first.code !== 0) throw new Error(`${tool} (proxied) failed: ${first.stderr.trim().split('\n').pop()}`);
      const full = proxy.snapshot();
      proxy.reset();
      // A second run with nothing pending is the tool's fixed cost (connect, lock, read state).
      let fixed = { roundTrips: 0, connections: 0 };
      if (tool !== 'psql') {
        const again = await runTimed(file, args, { env, cwd: ROOT, memory: false });
        if (again.code !== 0) throw new Error(`${tool} (no-op) failed: ${again.stderr.trim().split('\n').pop()}`);
        fixed = proxy.snapshot();
      }
      roundTrips[tool] = { total: full.roundTrips, fixed: fixed.roundTrips, connections: full.connections, perMigration: (full.roundTrips - fixed.roundTrips) / RT_COUNT };
    } finally {
      await proxy.close();
      await dropDatabase(server.url, url);
    }
  }

  const floor = stats.psql.medianMs;
  const pg = stats.ddlgate.medianMs;
  const rows = [
    {
      benchmark: `Apply: ${COUNT} small migrations`,
      subject: 'ddlgate up',
      baseline: 'psql, one session, BEGIN/\\i/COMMIT per file (floor)',
      subjectMs: pg,
      baselineMs: floor,
      ratio: pg / floor,
      goal: '≤ 1.30×',
      met: pg / floor <= 1.3,
    },
    {
      benchmark: `Apply: ${COUNT} small migrations`,
      subject: 'ddlgate up',
      baseline: 'node-pg-migrate up (per-migration transactions)',
      subjectMs: pg,
      baselineMs: stats['node-pg-migrate'].medianMs,
      ratio: pg / stats['node-pg-migrate'].medianMs,
      goal: '< 1.00×',
      met: pg < stats['node-pg-migrate'].medianMs,
    },
    {
      benchmark: `Apply: ${COUNT} small migrations`,
      subject: 'ddlgate up',
      baseline: 'postgrator migrate',
      subjectMs: pg,
      baselineMs: stats.postgrator.medianMs,
      ratio: pg / stats.postgrator.medianMs,
      goal: '< 1.00×',
      met: pg < stats.postgrator.medianMs,
    },
  ];
  return { rows, notes, stats, roundTrips, loopMs, count: COUNT, rtCount: RT_COUNT };
}
