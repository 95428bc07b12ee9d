#!/usr/bin/env node
// Peers measurement: lints every case of ../shared/peers/cases (other linters' test inputs: read in place,
// never copied into the project) and scores ddlgate against OUR judgement in bench/peers-judgement.json.
//   flagged dangerous = a case we judge dangerous gets at least one blocking (error) finding
//   blocked safe      = a case we judge safe gets a blocking finding
// Each case is linted as the runner would see it in a repository: its file is the pending migration;
// when the judgement names a base (bench/peers-bases/<base>.sql, our own schema fixture), that base is the
// applied migration before it, so ddlgate judges the case against the schema it assumes.
//
// --dry-run adds the second measurement the issue asks for: lint + dry-run together. Each case runs on a
// throwaway PostgreSQL (ddlgate's own ephemeral server): a fresh database gets the case's schema first
// (its base, or the preamble bench/lib/peers-preamble.mjs grows from PostgreSQL's "does not exist"
// answers, after the judgement's own `preamble` when it has one), then ddlgate's dry-run runs the case with the lock trace
// (always rolled back), the case is linted against that database's catalog, and the findings are merged
// with the dry-run's evidence (confirmed / contradicted / unpredicted) exactly as `ddlgate dry-run` does.
// Blocking then means an error finding after the merge, or a dry-run that failed on the case itself
// (PostgreSQL refused it), as the PR check blocks on it.
// Usage: node bench/peers.mjs [--cases DIR] [--dry-run] [--json] [--verbose]   (also run by `npm run bench -- --only peers`)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);

/** ../shared/peers/cases seen from the repository (or a worktree of it). */
export function findCasesDir(start = ROOT) {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'peers', 'cases');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function measurePeers({ casesDir = findCasesDir(), lib = path.join(ROOT, 'lib'), dryRun = false, only } = {}) {
  if (!casesDir || !existsSync(casesDir)) return { available: false };
  const { loadParser } = await import(pathToFileURL(path.join(lib, 'sql', 'parser.js')).href);
  const { lintFiles, resolveLintSettings } = await import(pathToFileURL(path.join(lib, 'lint', 'index.js')).href);
  await loadParser();
  const judgement = JSON.parse(readFileSync(path.join(BENCH, 'peers-judgement.json'), 'utf8')).cases;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-peers-'));
  const rows = [];
  const runner = dryRun ? await startDryRunner(lib) : undefined;
  try {
    for (const name of readdirSync(casesDir).sort()) {
      if (only && !only.test(name)) continue;
      const judged = judgement[name];
      if (!judged) {
        rows.push({ name, judged: undefined });
        continue;
      }
      const caseDir = path.join(casesDir, name);
      const config = existsSync(path.join(caseDir, 'ddlgate.json')) ? JSON.parse(readFileSync(path.join(caseDir, 'ddlgate.json'), 'utf8')) : {};
      const settings = resolveLintSettings(config, { env: {} });
      const dir = path.join(work, name);
      mkdirSync(dir, { recursive: true });
      if (judged.base) copyFileSync(path.join(BENCH, 'peers-bases', `${judged.base}.sql`), path.join(dir, '0000_base.up.sql'));
      const file = path.join(dir, '0001_case.up.sql');
      copyFileSync(path.join(caseDir, '0001_case.up.sql'), file);
      const result = lintFiles([file], settings);
      const findings = result.files.flatMap((f) => f.findings);
      const blocking = findings.filter((f) => f.severity === 'error');
      const row = { name, judged, blocked: blocking.length > 0, rules: [...new Set(blocking.map((f) => f.rule))], warnings: [...new Set(findings.filter((f) => f.severity !== 'error').map((f) => f.rule))] };
      if (runner) {
        row.dry = await runner.run({ name, caseDir, judged, settings, file });
        // No evidence (the runner refused the file as bad input, or our schema could not hold the case):
        // the PR check still has the offline lint, so that verdict stands.
        if (['refused', 'no-schema', 'skipped'].includes(row.dry.status)) row.dry.blocked = row.blocked;
      }
      rows.push(row);
    }
  } finally {
    await runner?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const dangerous = rows.filter((r) => r.judged?.verdict === 'dangerous');
  const safe = rows.filter((r) => r.judged?.verdict === 'safe');
  return {
    available: true,
    ...(dryRun ? { withDryRun: scoreDryRun(dangerous, safe) } : {}),
    cases: rows.length,
    unjudged: rows.filter((r) => !r.judged).map((r) => r.name),
    dangerous: dangerous.length,
    safe: safe.length,
    flaggedDangerous: dangerous.filter((r) => r.blocked).length,
    blockedSafe: safe.filter((r) => r.blocked).length,
    missed: dangerous.filter((r) => !r.blocked).map((r) => ({ name: r.name, reason: r.judged.reason, warnings: r.warnings })),
    falseBlocks: safe.filter((r) => r.blocked).map((r) => ({ name: r.name, reason: r.judged.reason, rules: r.rules })),
  };
}

/** At most this many rounds of "add what PostgreSQL said is missing, then dry-run again" per case. */
const PREAMBLE_ROUNDS = 12;

/**
 * One throwaway server for all cases; `run` dry-runs one case in a fresh database of its own (see the
 * header) and returns what the lint + dry-run pair concluded.
 */
async function startDryRunner(lib) {
  const load = (file) => import(pathToFileURL(path.join(lib, ...file.split('/'))).href);
  const { startEphemeralPostgres } = await load('db/ephemeral.js');
  const { runDryRun } = await load('db/dry-run.js');
  const { createLockTrace } = await load('db/lock-trace.js');
  const { parseRaw } = await load('sql/parser.js');
  const { lintAgainstCatalog, loadCatalogSchema, mergeEvidence } = await load('lint/index.js');
  const { createDatabase, dropDatabase } = await import('./lib/pg.mjs');
  const { Preamble } = await import('./lib/peers-preamble.mjs');
  const pg = (await import('pg')).default;
  const server = await startEphemeralPostgres();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-peers-dry-'));
  const schema = 'ddlgate';

  // One database for every case: before each attempt it is emptied (every schema dropped, public made
  // again), far cheaper than a database per attempt. The dry-run itself always rolls back.
  const url = await createDatabase(server.url, 'peers');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const RESET = `DO $$ DECLARE s text; BEGIN
      FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
      END LOOP; END $$; CREATE SCHEMA public`;

  async function attempt(caseFile, setupSql, settings) {
    await client.query(RESET);
    {
      if (setupSql.trim()) {
        try {
          await client.query(setupSql);
        } catch (error) {
          return { setupError: error.message };
        }
      }
      let report;
      try {
        report = await runDryRun({ databaseUrl: url, dir: path.dirname(caseFile), schema, lockTimeoutMs: 5000, statementTimeoutMs: 60_000, lockWaitMs: 10_000, lockRetries: 0, log: () => {}, observer: createLockTrace({ schema }) });
      } catch (error) {
        // Bad input (exit 2): the runner refuses the file before any statement, and so does the PR check.
        if (error?.exitCode === 2) return { refused: error.message };
        throw error;
      }
      // The dry-run rolled back: the catalog is the schema the case is deployed onto.
      const catalog = await loadCatalogSchema(client, { tracking: schema });
      const lint = lintAgainstCatalog(path.dirname(caseFile), settings, { catalog, applied: new Set() });
      return { report, lint: mergeEvidence(lint, report.migrations), unmerged: lint };
    }
  }

  async function run({ name, caseDir, judged, settings }) {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    const caseFile = path.join(dir, '0001_case.up.sql');
    const text = readFileSync(path.join(caseDir, '0001_case.up.sql'), 'utf8');
    writeFileSync(caseFile, text);
    const base = judged.base ? readFileSync(path.join(BENCH, 'peers-bases', `${judged.base}.sql`), 'utf8') : '';
    let stmts = [];
    try {
      stmts = parseRaw(text).stmts;
    } catch {
      // a syntax error: the dry-run reports it as the case's own failure
    }
    const preamble = new Preamble(stmts);
    const repairs = [];
    if (judged.noDryRun) return { status: 'skipped', reason: judged.noDryRun, repairs, evidence: { confirmed: 0, contradicted: 0, unpredicted: 0 }, rules: [], observed: [] };
    try {
      for (let round = 0; round < PREAMBLE_ROUNDS; round++) {
        const setup = [base, judged.preamble ?? '', preamble.sql()].join('\n');
        const result = await attempt(caseFile, setup, settings);
        if (result.refused) return { status: 'refused', reason: `refused by the runner: ${result.refused.replace(/^\S+: /, '')}`, repairs, evidence: { confirmed: 0, contradicted: 0, unpredicted: 0 }, rules: [], observed: [], blocked: false };
        if (result.setupError) return { status: 'no-schema', reason: `our preamble failed: ${result.setupError}`, repairs };
        const failed = result.report.migrations.find((m) => !m.ok);
        const statement = failed?.statements.find((s) => s.error);
        if (failed && statement) {
          const repair = preamble.repair(failed.error ?? '', statement.sql, parseRaw);
          if (repair) {
            repairs.push(repair);
            continue;
          }
        }
        return summarizeDry(result, repairs);
      }
      return { status: 'no-schema', reason: `still missing objects after ${PREAMBLE_ROUNDS} rounds`, repairs };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    run,
    stop: async () => {
      rmSync(work, { recursive: true, force: true });
      await client.end();
      await dropDatabase(server.url, url);
      await server.stop();
    },
  };
}

/** Missing-object errors: left after the preamble rounds, they are a gap in our schema, not the case failing. */
const MISSING = /does not exist|is not an existing enum label|is not a (table|view|materialized view|index|sequence|domain)/;

function summarizeDry({ report, lint, unmerged }, repairs) {
  const findings = lint.files.flatMap((file) => file.findings);
  const before = unmerged.files.flatMap((file) => file.findings);
  const failed = report.migrations.find((m) => !m.ok);
  const evidence = { confirmed: 0, contradicted: 0, unpredicted: 0 };
  for (const finding of findings) {
    if (finding.rule === 'dry-run-observed') evidence.unpredicted++;
    else if (finding.evidence?.status === 'confirmed') evidence.confirmed++;
    else if (finding.evidence?.status === 'contradicted') evidence.contradicted++;
  }
  const blocking = findings.filter((f) => f.severity === 'error');
  const common = {
    repairs,
    evidence,
    rules: [...new Set(blocking.map((f) => f.rule))],
    downgraded: before.filter((f) => f.severity === 'error').length - findings.filter((f) => f.severity === 'error' && f.rule !== 'dry-run-observed').length,
    observed: findings.filter((f) => f.evidence).map((f) => `${f.rule}: ${f.evidence.status} (${f.evidence.observed})`),
  };
  if (failed && MISSING.test(failed.error ?? '')) return { status: 'no-schema', reason: failed.error, ...common, blocked: blocking.length > 0 };
  if (failed) return { status: 'failed', reason: failed.error, ...common, blocked: true };
  return { status: 'ran', ...common, blocked: blocking.length > 0 };
}

/** The lint + dry-run scores, over the cases judged dangerous and safe. */
function scoreDryRun(dangerous, safe) {
  const all = [...dangerous, ...safe];
  const count = (rows, pred) => rows.filter(pred).length;
  const sum = (key) => all.reduce((n, r) => n + (r.dry?.evidence?.[key] ?? 0), 0);
  return {
    ran: count(all, (r) => r.dry?.status === 'ran'),
    failed: count(all, (r) => r.dry?.status === 'failed'),
    noSchema: count(all, (r) => r.dry?.status === 'no-schema'),
    skipped: all.filter((r) => r.dry?.status === 'skipped').map((r) => ({ name: r.name, reason: r.dry.reason })),
    refused: all.filter((r) => r.dry?.status === 'refused').map((r) => ({ name: r.name, verdict: r.judged.verdict, reason: r.dry.reason })),
    flaggedDangerous: count(dangerous, (r) => r.dry?.blocked),
    blockedSafe: count(safe, (r) => r.dry?.blocked),
    confirmed: sum('confirmed'),
    contradicted: sum('contradicted'),
    unpredicted: sum('unpredicted'),
    missed: dangerous.filter((r) => !r.dry?.blocked).map((r) => ({ name: r.name, reason: r.judged.reason, dry: r.dry })),
    falseBlocks: safe.filter((r) => r.dry?.blocked).map((r) => ({ name: r.name, reason: r.judged.reason, dry: r.dry })),
    contradictions: all.filter((r) => r.dry?.evidence?.contradicted).map((r) => ({ name: r.name, verdict: r.judged.verdict, observed: r.dry.observed.filter((o) => o.includes('contradicted')) })),
    unpredictedCases: all.filter((r) => r.dry?.evidence?.unpredicted).map((r) => ({ name: r.name, verdict: r.judged.verdict, observed: r.dry.observed.filter((o) => o.startsWith('dry-run-observed')) })),
    gaps: all.filter((r) => r.dry?.status === 'no-schema').map((r) => ({ name: r.name, reason: r.dry.reason })),
  };
}

/** Rows for bench/results.md (`npm run bench -- --only peers`); `lib` is the build run.mjs measures. */
export async function run({ log = () => {}, lib } = {}) {
  const result = await measurePeers(lib ? { lib } : {});
  if (!result.available) return { rows: [], notes: ['peers: ../shared/peers/cases not found; rows skipped'] };
  log(`peers: ${result.flaggedDangerous}/${result.dangerous} dangerous flagged, ${result.blockedSafe}/${result.safe} safe blocked`);
  const common = { subject: 'ddlgate lint (blocking findings)', baseline: 'our judgement (bench/peers-judgement.json)', subjectMs: null, baselineMs: null, ratio: null };
  return {
    ...result,
    rows: [
      { ...common, benchmark: 'Peers cases: dangerous cases flagged', value: `${result.flaggedDangerous}/${result.dangerous}`, goal: `all ${result.dangerous}`, met: result.flaggedDangerous === result.dangerous },
      { ...common, benchmark: 'Peers cases: safe cases blocked', value: `${result.blockedSafe}/${result.safe}`, goal: '0', met: result.blockedSafe === 0 },
    ],
    notes: [...result.missed.map((m) => `missed: ${m.name} (${m.reason})`), ...result.falseBlocks.map((m) => `blocked safe: ${m.name} (${m.rules.join(', ')})`)],
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { cases: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, only: { type: 'string' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  const result = await measurePeers({ ...(values.cases ? { casesDir: values.cases } : {}), dryRun: values['dry-run'], ...(values.only ? { only: new RegExp(values.only) } : {}) });
  if (!result.available) {
    console.error('peers: no cases directory (../shared/peers/cases); pass --cases DIR');
    process.exit(2);
  }
  if (values.json) console.log(JSON.stringify(result, null, 1));
  else {
    console.log(`peers: ${result.cases} cases; judged dangerous ${result.dangerous}, safe ${result.safe}`);
    console.log('lint alone:');
    console.log(`  flagged dangerous: ${result.flaggedDangerous}/${result.dangerous}`);
    console.log(`  blocked safe:      ${result.blockedSafe}/${result.safe}`);
    for (const m of result.missed) console.log(`    missed       ${m.name}: ${m.reason}${values.verbose ? ` [warnings: ${m.warnings.join(', ')}]` : ''}`);
    for (const m of result.falseBlocks) console.log(`    blocked safe ${m.name}: ${m.rules.join(', ')} — ${m.reason}`);
    const d = result.withDryRun;
    if (d) {
      console.log('lint + dry-run (each case on a throwaway PostgreSQL, rolled back):');
      console.log(`  dry-run ran: ${d.ran}, failed on the case itself: ${d.failed}, no schema for it: ${d.noSchema}, not dry-run by our judgement: ${d.skipped.length}, file refused by the runner as written: ${d.refused.length}`);
      console.log(`  evidence: ${d.confirmed} findings confirmed, ${d.contradicted} contradicted, ${d.unpredicted} unpredicted (dry-run-observed)`);
      console.log(`  flagged dangerous: ${d.flaggedDangerous}/${result.dangerous}`);
      console.log(`  blocked safe:      ${d.blockedSafe}/${result.safe}`);
      for (const m of d.missed) console.log(`    missed       ${m.name}: ${m.reason} [dry-run: ${m.dry?.status}${m.dry?.reason ? `: ${m.dry.reason}` : ''}]`);
      for (const m of d.falseBlocks) console.log(`    blocked safe ${m.name}: ${m.dry.rules.join(', ') || m.dry.reason} — ${m.reason}`);
      if (values.verbose) {
        for (const c of d.contradictions) console.log(`    contradicted (${c.verdict}) ${c.name}: ${c.observed.join(' | ')}`);
        for (const c of d.unpredictedCases) console.log(`    unpredicted  (${c.verdict}) ${c.name}: ${c.observed.join(' | ')}`);
        for (const g of d.gaps) console.log(`    no schema    ${g.name}: ${g.reason}`);
        for (const r of d.refused) console.log(`    refused      (${r.verdict}) ${r.name}: ${r.reason}`);
      }
    }
  }
  const d = result.withDryRun;
  const clean = result.missed.length === 0 && result.falseBlocks.length === 0 && (!d || (d.missed.length === 0 && d.falseBlocks.length === 0));
  process.exit(clean ? 0 : 1);
}
