// 5. Dry-run overhead: `ddlgate dry-run` (rolled back, with the lock trace) vs `ddlgate up` of the same 50
// migrations, each on a fresh database. Goal ≤ 1.5×.
import path from 'node:path';
import { smallMigrations, writeLayouts } from './lib/generate.mjs';
import { runTimed, summarize } from './lib/measure.mjs';
import { NODE, DDLGATE_BIN, ROOT } from './lib/paths.mjs';
import { createDatabase, dropDatabase } from './lib/pg.mjs';

const COUNT = 50;

export async function run({ server, workDir, runs, log }) {
  const notes = [];
  const dirs = writeLayouts(path.join(workDir, 'dry-run'), smallMigrations(COUNT), ['ddlgate']);
  const samples = { 'dry-run': [], up: [] };
  let lastDryRun = null;
  for (let round = 0; round < runs; round++) {
    for (const command of ['dry-run', 'up']) {
      log(`dry-run: round ${round + 1}/${runs} ${command}`);
      const url = await createDatabase(server.url, 'dry');
      const args = [DDLGATE_BIN, command, '--dir', dirs.ddlgate, '--database-url', url, ...(command === 'dry-run' ? ['--format', 'json'] : [])];
      const result = await runTimed(NODE, args, { cwd: ROOT });
      if (result.code !== 0) throw new Error(`ddlgate ${command} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      samples[command].push(result);
      if (command === 'dry-run') lastDryRun = result.stdout;
      await dropDatabase(server.url, url);
    }
  }
  // Whether the lock trace was on: the dry-run JSON lists the locks each statement took.
  let traced = null;
  try {
    const report = JSON.parse(lastDryRun);
    traced = report.migrations.some((m) => m.statements.some((s) => Array.isArray(s.locks) && s.locks.length > 0));
  } catch {
    traced = null;
  }
  if (traced === false) notes.push('The dry-run reported no locks: the lock trace (src/db/lock-trace.ts) was not active when this ran, so the overhead excludes it; re-run once it lands.');
  const dry = summarize(samples['dry-run']);
  const up = summarize(samples.up);
  const ratio = dry.medianMs / up.medianMs;
  return {
    rows: [
      {
        benchmark: `Dry-run overhead: ${COUNT} migrations`,
        subject: `ddlgate dry-run${traced ? ' (lock trace on)' : traced === false ? ' (no lock trace yet)' : ''}`,
        baseline: 'ddlgate up',
        subjectMs: dry.medianMs,
        baselineMs: up.medianMs,
        ratio,
        goal: '≤ 1.50×',
        met: ratio <= 1.5,
      },
    ],
    notes,
    dry,
    up,
    traced,
  };
}
