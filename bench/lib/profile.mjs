// Where a node command's CPU time goes: one run under `node --cpu-prof`, summarized by phase and by function.
// A profile's samples say which function was on the CPU; the phase comes from its call stack, so time in
// a JSON.parse called by the parser counts as parsing, not as "native".
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTimed } from './measure.mjs';
import { NODE, ROOT } from './paths.mjs';

/** Phases matched against a stack's frames, innermost first; the first phase any frame matches wins. */
const PHASES = [
  ['SQL parser (libpg-query wasm + JSON)', (f) => f.url.startsWith('wasm://') || f.url.includes('libpg-query') || f.url.includes('/sql/parser.js')],
  ['splitting statements, positions', (f) => /\/sql\/(statements|positions)\.js$/.test(f.url)],
  ['output (report rendering, JSON)', (f) => /\/report\/|\/lint\/format\.js$/.test(f.url)],
  ['lint engine and rules', (f) => f.url.includes('/lint/')],
  ['module loading and compilation', (f) => /node:internal\/modules|internal\/modules/.test(f.url) || f.functionName === '(compile)'],
];

const relative = (url) => {
  if (!url) return '(native)';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
};

/** Runs `node --cpu-prof <args>` once; resolves with { sampledMs, phases, top } or throws if no profile. */
export async function profileNode(args, { top = 12 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-bench-prof-'));
  try {
    const result = await runTimed(NODE, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], { cwd: ROOT, memory: false });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile written (exit ${result.code})`);
    return summarizeProfile(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), top);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function summarizeProfile(profile, top = 12) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));

  const phaseUs = new Map();
  const phaseOf = (id) => {
    const leaf = byId.get(id).callFrame;
    if (leaf.functionName === '(garbage collector)') return 'garbage collection';
    if (leaf.functionName === '(idle)') return 'idle (waiting on I/O)';
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      for (const [name, test] of PHASES) if (test(frame)) return name;
    }
    return 'other (node internals, start-up)';
  };
  const functions = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const phase = phaseOf(id);
    phaseUs.set(phase, (phaseUs.get(phase) ?? 0) + us);
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') continue;
    const key = `${functionName || '(anonymous)'}\t${url ? `${relative(url)}:${lineNumber + 1}` : '(native)'}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const share = (us) => (totalUs ? (100 * us) / totalUs : 0);
  return {
    sampledMs: totalUs / 1000,
    phases: [...phaseUs].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    top: [...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [fn, location] = key.split('\t');
        return { fn, location, ms: us / 1000, share: share(us) };
      }),
  };
}
