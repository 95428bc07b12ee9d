// Renders bench/results.md from what run.mjs collected. Pure: no I/O, so a report can be re-rendered or
// compared without re-measuring. Sections appear only for the benchmarks that ran.

/** Milliseconds at three significant figures: 0.3 ms, 5.7 ms, 757 ms, 3.36 s, 10.8 s. */
export function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  const s = value / 1000;
  return `${s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : Math.round(s)} s`;
}

const mb = (kb) => (typeof kb === 'number' ? `${Math.round(kb / 1024)} MB` : 'n/a');
const ratio = (r) => (r === null || r === undefined || Number.isNaN(r) ? '–' : `${r.toFixed(2)}×`);
const verdict = (met) => (met === true ? 'met' : met === false ? '**NOT met**' : 'n/a');
const cell = (text) => String(text).replaceAll('|', '\\|');

/** "757 ms (min 749 ms, max 786 ms; peak RSS 202 MB)" for a summarize() result. */
export function stat(s) {
  if (!s) return 'n/a';
  return `${ms(s.medianMs)} (min ${ms(s.minMs)}, max ${ms(s.maxMs)}; peak RSS ${mb(s.peakRssKb)})`;
}

/** One summary line per row, also printed by run.mjs as each benchmark finishes. */
export function rowLine(row) {
  const value = row.value ?? (row.subjectMs === null || row.subjectMs === undefined ? '' : `${ms(row.subjectMs)} vs ${ms(row.baselineMs)}`);
  const measured = [value, row.ratio === null || row.ratio === undefined ? '' : ratio(row.ratio)].filter(Boolean).join(', ');
  return `${row.met === true ? 'MET    ' : row.met === false ? 'NOT MET' : 'n/a    '} ${row.benchmark} — ${row.subject}: ${measured || 'n/a'}; goal ${row.goal}`;
}

/** Sections in report order: [results key, title, renderer of the section's body]. */
const SECTIONS = [
  ['lint', 'Lint throughput', lintSection],
  ['apply', 'Apply throughput', applySection],
  ['coldStart', 'Action cold start', coldStartSection],
  ['zeroDowntime', 'Zero-downtime under load', zeroDowntimeSection],
  ['dryRun', 'Dry-run overhead', dryRunSection],
  ['prCheck', 'Whole PR check', prCheckSection],
  ['schemaModel', 'Lint throughput with the schema model', schemaModelSection],
  ['impact', 'Impact estimates vs measured durations', impactSection],
  ['peers', 'Peers cases: dangerous flagged, safe blocked', peersSection],
];

export function renderResults({ date, durationMs, machine, versions, results, errors, runs, argv }) {
  const out = [];
  const stamp = date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  out.push('# ddlgate benchmarks', '');
  out.push(`Written by \`npm run bench\` (bench/run.mjs${argv.length ? ` ${argv.join(' ')}` : ''}) on ${stamp}; the whole run took ${ms(durationMs)}.`);
  out.push(`Times are medians of ${runs} run${runs > 1 ? 's' : ''} (whole-process wall time: what a user or CI step waits for) unless a row says otherwise; ratios are ddlgate ÷ baseline, so below 1 means ddlgate is faster.`, '');

  out.push('## Summary', '');
  out.push('| Benchmark | ddlgate | Baseline | ddlgate time | Baseline time | Ratio | Goal | Result |', '|---|---|---|---:|---:|---:|---|---|');
  const known = SECTIONS.map(([key]) => key);
  const keys = [...known.filter((k) => results[k]), ...Object.keys(results).filter((k) => !known.includes(k))];
  for (const key of keys) {
    for (const r of results[key].rows ?? []) {
      // A ratio-only row (throughput) has no times: a dash, not "n/a", since nothing is missing.
      const subjectTime = r.value ?? (r.subjectMs === null || r.subjectMs === undefined ? '–' : ms(r.subjectMs));
      const baselineTime = r.value !== undefined || r.baselineMs === null || r.baselineMs === undefined ? '–' : ms(r.baselineMs);
      out.push(`| ${cell(r.benchmark)} | ${cell(r.subject)} | ${cell(r.baseline)} | ${cell(subjectTime)} | ${baselineTime} | ${ratio(r.ratio)} | ${cell(r.goal)} | ${verdict(r.met)} |`);
    }
  }
  for (const [name, message] of Object.entries(errors)) out.push(`| ${cell(name)} | – | – | – | – | – | – | **FAILED**: ${cell(message)} |`);
  out.push('');

  out.push('## Machine', '');
  out.push(`- CPU: ${machine.cpu}`, `- Memory: ${machine.memory}`, `- OS: ${machine.os}`);
  out.push(`- Load average (1 min) at start / end of the run: ${machine.loadStart} / ${machine.loadEnd} — other work on the machine inflates every number; ratios within one run are the meaningful part`, '');
  out.push('## Versions', '');
  for (const [name, version] of Object.entries(versions)) out.push(`- ${name}: ${version}`);
  out.push('');

  let n = 0;
  for (const [key, title, render] of SECTIONS) {
    if (!results[key]) continue;
    out.push(`## ${++n}. ${title}`, '', ...render(results[key], runs), ...notes(results[key]));
  }
  // A benchmark registered in run.mjs without a section of its own still gets its rows and notes.
  for (const key of keys.filter((k) => !known.includes(k))) {
    out.push(`## ${++n}. ${key}`, '', ...(results[key].rows ?? []).map((r) => `- ${rowLine(r)}`), '', ...notes(results[key]));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function notes(result) {
  return result.notes?.length ? [...result.notes.map((note) => `Note: ${note}`), ''] : [];
}

function lintSection(r) {
  const out = [
    "squawk runs through the npm package's `node_modules/.bin/squawk` (a node shim that spawns the native binary — how `npx squawk` runs); the native binary alone is shown for reference. The verdict compares JSON output on both sides: squawk's default terminal renderer draws a source snippet per finding and is far slower than its linting on big outputs, so the default-output pair (below, for context) would flatter ddlgate.",
    '',
    '| Workload (JSON output) | ddlgate lint | squawk (npm) | squawk (native binary) | ratio vs npm | ratio vs native | findings ddlgate / squawk |',
    '|---|---|---|---|---:|---:|---:|',
  ];
  for (const row of r.rows) {
    const d = row.details;
    out.push(`| ${row.benchmark.replace(/^Lint: /, '')} | ${stat(d.ddlgate)} | ${stat(d.squawk)} | ${stat(d.squawkNative)} | ${ratio(row.ratio)} | ${ratio(d.nativeRatio)} | ${d.ddlgateFindings ?? 'n/a'} / ${d.squawkFindings ?? 'n/a'} |`);
  }
  out.push('', '| Workload (default human output) | ddlgate lint | squawk (npm) | ratio |', '|---|---|---|---:|');
  for (const c of r.context) out.push(`| ${c.workload} | ${stat(c.ddlgate)} | ${stat(c.squawk)} | ${ratio(c.ratio)} |`);
  const { nodeBare, ddlgateStart } = r.breakdown;
  out.push('', "Where ddlgate's time goes (medians):", '');
  out.push(`- node start-up alone (\`node -e ""\`): ${ms(nodeBare.medianMs)}`);
  out.push(`- ddlgate start-up (\`ddlgate --version\`: modules + libpg-query wasm, which main() loads before reading argv): ${ms(ddlgateStart.medianMs)} (peak RSS ${mb(ddlgateStart.peakRssKb)})`);
  const big = r.rows[0]?.details?.ddlgate;
  if (big) {
    const beyond = big.medianMs - ddlgateStart.medianMs;
    out.push(`- linting the ${r.statements.toLocaleString('en')} statements beyond start-up: ${ms(beyond)} ≈ ${Math.round((beyond * 1000) / r.statements)} µs per statement`);
  }
  out.push('');
  if (r.profile) {
    out.push(`CPU profile of \`ddlgate lint --format json\` on the ${r.statements.toLocaleString('en')}-statement file (node --cpu-prof, ${ms(r.profile.sampledMs)} sampled), by phase (each sample attributed by its call stack):`, '');
    out.push('| Phase | Time | Share |', '|---|---:|---:|');
    for (const p of r.profile.phases) out.push(`| ${p.name} | ${ms(p.ms)} | ${p.share.toFixed(1)} % |`);
    out.push('', `Top ${r.profile.top.length} functions by self time:`, '', '| Function | Location | Self time | Share |', '|---|---|---:|---:|');
    for (const f of r.profile.top) out.push(`| ${cell(f.fn)} | ${cell(f.location)} | ${ms(f.ms)} | ${f.share.toFixed(1)} % |`);
    out.push('');
  }
  return out;
}

const APPLY_TOOLS = {
  psql: 'psql, one session, BEGIN; \\i file; COMMIT per file (floor)',
  ddlgate: 'ddlgate up',
  'node-pg-migrate': 'node-pg-migrate up --no-single-transaction',
  postgrator: 'postgrator migrate() (README script)',
  'ddlgate-core': "ddlgate core runUp without the CLI's drift check and per-migration catalog fingerprint (informational)",
};

function applySection(r) {
  const out = [
    `${r.count} migrations, each \`CREATE TABLE\` + \`ALTER TABLE … ADD COLUMN\` + \`CREATE INDEX\` in its own transaction, applied to a fresh empty database per run (rounds interleave the tools).`,
    '',
    '| Tool | Median (min–max) | Peak RSS | Round trips total | fixed (no-op run) | per migration | connections |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const [tool, s] of Object.entries(r.stats)) {
    const rt = r.roundTrips[tool] ?? {};
    out.push(`| ${cell(APPLY_TOOLS[tool] ?? tool)} | ${ms(s.medianMs)} (${ms(s.minMs)}–${ms(s.maxMs)}) | ${mb(s.peakRssKb)} | ${rt.total ?? 'n/a'} | ${rt.fixed ?? 'n/a'} | ${rt.perMigration?.toFixed(2) ?? 'n/a'} | ${rt.connections ?? 'n/a'} |`);
  }
  out.push('', `For context, the shell-loop form of the floor (one \`psql -1 -f\` process per file) took ${ms(r.loopMs)} (one run).`);
  out.push(`Round trips are counted by a pass-through proxy (every simple Query and every extended-protocol Sync), in separate runs from the timed ones, on the first ${r.rtCount} migrations; "total" is that run, "fixed" a second run with nothing pending, "per migration" is (total − fixed) ÷ ${r.rtCount}.`, '');
  return out;
}

function coldStartSection(r) {
  return [
    `\`node <bundle>\` with \`INPUT_COMMAND=lint\`, \`INPUT_MIGRATIONS-DIR=migrations-example\` as the runner starts it; bundle: ${r.source}. One warm-up run (file cache), then ${r.stats.runs} measured.`,
    '',
    `- wall time: median ${ms(r.stats.medianMs)} (min ${ms(r.stats.minMs)}, max ${ms(r.stats.maxMs)})`,
    `- peak memory (max RSS): ${mb(r.stats.peakRssKb)} (median ${mb(r.stats.medianRssKb)})`,
    '',
  ];
}

function zeroDowntimeSection(r) {
  const out = [
    `A ${r.rowsInTable.toLocaleString('en')}-row table; ${r.workers} node connections each send a primary-key read or update every ${r.intervalMs} ms (open loop: a query's latency counts from when it was due, so a stalled connection's backlog is counted, not hidden). A long transaction reads the table and holds ACCESS SHARE for ${r.longTxMs / 1000} s; 100 ms after it starts, a migration runs \`ALTER TABLE … ADD COLUMN\` (needs ACCESS EXCLUSIVE). Latencies are of the application queries started after the long transaction took its lock; "baseline" is the second before it.`,
    '',
    '| Migration | reader p99 (during) | worst | p99 | p50 | queries | > 100 ms | throughput vs baseline | baseline p99 / max | migration ran (from lock taken) | long tx released | exit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const s of [r.naive, r.safe]) {
    out.push(`| ${s.name} | ${ms(s.readerP99)} | ${ms(s.worst)} | ${ms(s.p99)} | ${ms(s.p50)} | ${s.queries} | ${s.over100ms} | ${(s.throughputRatio * 100).toFixed(0)} % | ${ms(s.baselineP99)} / ${ms(s.baselineMax)} | ${ms(s.migrationStartedAt)} → ${ms(s.migrationEndedAt)} | ${ms(s.longTxReleasedAt)} | ${s.exitCode} |`);
  }
  out.push('', `ddlgate logged ${r.retries} lock-timeout retr${r.retries === 1 ? 'y' : 'ies'} (default lock policy) before the ALTER got its lock.`);
  out.push(`Concurrent index build behind an open write transaction: completed at ${ms(r.index.completedAt)}, exit ${r.index.exitCode}, named the blocking transaction: ${r.index.named ? 'yes' : 'no'}, cancelled by a lock retry: ${r.index.cancelled ? 'yes' : 'no'}.`, '');
  return out;
}

function dryRunSection(r) {
  return [
    `The first 50 migrations of the apply workload, each command on a fresh database. Lock trace active: ${r.traced ? 'yes' : r.traced === false ? 'no' : 'unknown'}.`,
    '',
    `- ddlgate dry-run --format json: ${stat(r.dry)}`,
    `- ddlgate up: ${stat(r.up)}`,
    '',
  ];
}

function prCheckSection(r) {
  const d = r.rows[0]?.details ?? {};
  return [
    `A throwaway PostgreSQL started, then \`node dist/index.js\` with \`command: dry-run\`, \`replay-base: true\` on a pull request whose base is many migrations, against a local GitHub stand-in (lint, replay of the base, dry-run, comment). Medians: PostgreSQL start ${ms(d.postgresStartMs)}, the action ${ms(d.actionMs)}.`,
    '',
  ];
}

function schemaModelSection(r) {
  const out = [
    `\`lintFiles\` timed in-process (parser loaded first, one warm-up, a full garbage collection before each timed run, median of ${r.runs}) by the measured lib/ (schema model on) and by a compile of ${r.baseline}, the last commit before the model. Goal: the model costs at most 20 %.`,
    '',
    '| Workload | Without model | With model | Ratio | Findings without / with |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of r.rows) out.push(`| ${row.benchmark.replace(/^[^:]*: /, '')} | ${ms(row.baselineMs)} | ${ms(row.subjectMs)} | ${ratio(row.ratio)} | ${row.details.findingsWithout} / ${row.details.findingsWith} |`);
  out.push('');
  return out;
}

function impactSection(r) {
  return [
    "For each table size and operation, ddlgate's estimate (calibrated on a scratch table of the same server, scaled to the table's size as the snapshot reads it) against the measured duration on the same server. Goal: measured ÷ estimate within 0.5–2×.",
    '',
    r.table,
    '',
  ];
}

function peersSection(r) {
  return [
    `Every case of ../shared/peers/cases linted as the pending migration (on its base fixture when the judgement names one), scored against our judgement in bench/peers-judgement.json: ${r.cases} cases, ${r.dangerous} judged dangerous, ${r.safe} safe${r.unjudged?.length ? `, ${r.unjudged.length} not judged` : ''}. A case counts as flagged or blocked when it gets at least one blocking (error) finding.`,
    '',
  ];
}
