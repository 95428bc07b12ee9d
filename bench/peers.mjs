#!/usr/bin/env node
// Peers measurement: lints every case of ../shared/peers/cases (other linters' test inputs: read in place,
// never copied into the project) and scores ddlgate against OUR judgement in bench/peers-judgement.json.
//   flagged dangerous = a case we judge dangerous gets at least one blocking (error) finding
//   blocked safe      = a case we judge safe gets a blocking finding
// Each case is linted as the runner would see it in a repository: its file is the pending migration;
// when the judgement names a base (bench/peers-bases/<base>.sql, our own schema fixture), that base is the
// applied migration before it, so ddlgate judges the case against the schema it assumes.
// Usage: node bench/peers.mjs [--cases DIR] [--json] [--verbose]   (also run by `npm run bench -- --only peers`)
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export async function measurePeers({ casesDir = findCasesDir(), lib = path.join(ROOT, 'lib') } = {}) {
  if (!casesDir || !existsSync(casesDir)) return { available: false };
  const { loadParser } = await import(pathToFileURL(path.join(lib, 'sql', 'parser.js')).href);
  const { lintFiles, resolveLintSettings } = await import(pathToFileURL(path.join(lib, 'lint', 'index.js')).href);
  await loadParser();
  const judgement = JSON.parse(readFileSync(path.join(BENCH, 'peers-judgement.json'), 'utf8')).cases;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-peers-'));
  const rows = [];
  try {
    for (const name of readdirSync(casesDir).sort()) {
      const judged = judgement[name];
      if (!judged) {
        rows.push({ name, judged: undefined });
        continue;
      }
      const caseDir = path.join(casesDir, name);
      const config = existsSync(path.join(caseDir, 'ddlgate.json')) ? JSON.parse(readFileSync(path.join(caseDir, 'ddlgate.json'), 'utf8')) : {};
      const settings = resolveLintSettings(config, { env: {} });
      const dir = path.join(work, name);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      if (judged.base) copyFileSync(path.join(BENCH, 'peers-bases', `${judged.base}.sql`), path.join(dir, '0000_base.up.sql'));
      const file = path.join(dir, '0001_case.up.sql');
      copyFileSync(path.join(caseDir, '0001_case.up.sql'), file);
      const result = lintFiles([file], settings);
      const findings = result.files.flatMap((f) => f.findings);
      const blocking = findings.filter((f) => f.severity === 'error');
      rows.push({ name, judged, blocked: blocking.length > 0, rules: [...new Set(blocking.map((f) => f.rule))], warnings: [...new Set(findings.filter((f) => f.severity !== 'error').map((f) => f.rule))] });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const dangerous = rows.filter((r) => r.judged?.verdict === 'dangerous');
  const safe = rows.filter((r) => r.judged?.verdict === 'safe');
  return {
    available: true,
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
  const { values } = parseArgs({ options: { cases: { type: 'string' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } } });
  const result = await measurePeers(values.cases ? { casesDir: values.cases } : {});
  if (!result.available) {
    console.error('peers: no cases directory (../shared/peers/cases); pass --cases DIR');
    process.exit(2);
  }
  if (values.json) console.log(JSON.stringify(result, null, 1));
  else {
    console.log(`peers: ${result.cases} cases; judged dangerous ${result.dangerous}, safe ${result.safe}`);
    console.log(`flagged dangerous: ${result.flaggedDangerous}/${result.dangerous}`);
    console.log(`blocked safe:      ${result.blockedSafe}/${result.safe}`);
    for (const m of result.missed) console.log(`  missed       ${m.name}: ${m.reason}${values.verbose ? ` [warnings: ${m.warnings.join(', ')}]` : ''}`);
    for (const m of result.falseBlocks) console.log(`  blocked safe ${m.name}: ${m.rules.join(', ')} — ${m.reason}`);
  }
  process.exit(result.missed.length === 0 && result.falseBlocks.length === 0 ? 0 : 1);
}
