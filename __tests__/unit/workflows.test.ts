/**
 * Every workflow this repository ships (.github/workflows and the caller examples in
 * docs/examples/workflows), checked the way GitHub loads and runs them:
 * - the security rules, read from the parsed YAML;
 * - GitHub's own parser (@actions/workflow-parser) on each file, and on each example caller together
 *   with the called workflow at the commit the caller pins: inputs and secrets declared and given;
 *   the permission ceiling (no called job asks for more than the caller job grants); outputs;
 * - every `${{ }}` parsed by GitHub's expression package (@actions/expressions);
 * - the three user journeys (a pull request touching migrations; tag v1.2.3; manual dispatch with a
 *   wrong phrase, the right phrase and dry_run=false, the defaults) evaluated on the real files:
 *   triggers, `with:`, `if:`, matrices, environments — the shell steps executed with bash and jq — and
 *   rendered as the tables docs/workflows.md shows;
 * - the shell steps that carry the rules, executed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { checkPins, references } from '../../scripts/pin-examples.mjs';
import {
  EXAMPLES,
  evaluate,
  evaluateIf,
  evaluateValue,
  expressionsIn,
  findStep,
  gitShow,
  isObj,
  jobsOf,
  listYaml,
  load,
  loadYaml,
  matchesFilters,
  obj,
  ownWorkflowRef,
  parseExpression,
  parserErrors,
  readText,
  ROOT,
  runStep,
  runStepAsync,
  scratch,
  stepEnv,
  stepsOf,
  triggersOf,
  WORKFLOWS,
  type Json,
  type Obj,
  type StepRun,
} from '../helpers/workflow-eval.js';

const OWN_REPO = 'ddlgate/ddlgate';
const PHRASE = 'MIGRATE-PRODUCTION';
const files = [...listYaml(WORKFLOWS), ...listYaml(EXAMPLES)];
const parsed = new Map(files.map((f) => [f, load(f)]));
const DEPLOY = `${WORKFLOWS}/migrations-deploy.yml`;
const CHECK = `${WORKFLOWS}/migrations-check.yml`;
const RELEASE = `${WORKFLOWS}/migrations-release.yml`;
const deploy = parsed.get(DEPLOY)!;

/**
 * The third-party actions, each pinned to the commit its release tag points at in the action's own
 * repository (checked in a clone of each: `git rev-parse <tag>^{commit}`), whose action.yml at that
 * commit says `using: node24` (docs/workflows.md, "Pinned actions").
 */
const PINNED: Record<string, { sha: string; tag: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', tag: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', tag: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', tag: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', tag: 'v8.0.1' },
};

/** Every `uses:` of a file: job level (reusable workflow calls) and step level. */
function usesOf(wf: Obj): string[] {
  const out: string[] = [];
  for (const [, job] of jobsOf(wf)) {
    if (typeof job.uses === 'string') out.push(job.uses);
    for (const step of stepsOf(job)) if (typeof step.uses === 'string') out.push(step.uses);
  }
  return out;
}

/** Every string value of a parsed file (keys excluded), for expression checks. */
function stringsOf(value: Json, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (isObj(value)) for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/** The file without its comments (whole-line and trailing ` # …`), for checks on the raw text. */
const withoutComments = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .map((line) => line.replace(/\s+#\s.*$/, ''))
    .join('\n');

describe('the workflow files', () => {
  it('are all present and parse as YAML without duplicate keys', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        `${WORKFLOWS}/ci.yml`,
        `${WORKFLOWS}/check-dist.yml`,
        CHECK,
        DEPLOY,
        RELEASE,
        `${EXAMPLES}/pr-migrations.yml`,
        `${EXAMPLES}/deploy-staging.yml`,
        `${EXAMPLES}/deploy-production.yml`,
      ]),
    );
    for (const file of files) expect(jobsOf(parsed.get(file)!).length).toBeGreaterThan(0);
  });

  it.each(files)("%s: GitHub's workflow parser accepts it (schema, expressions, concurrency queue)", async (file) => {
    expect(await parserErrors(file)).toEqual([]);
  });

  it("GitHub's parser is strict enough for a clean result to mean something", async () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    concurrency:\n      group: x\n      queue: sometimes\n    steps:\n      - run: echo ${{ github.sha == }}\n';
    const errors = await parserErrors('bad.yml', bad);
    expect(errors.some((e) => /queue|sometimes/i.test(e))).toBe(true);
    expect(errors.some((e) => /unexpected|expected|sha/i.test(e))).toBe(true);
  });
});

describe.each(files)('security rules: %s', (file) => {
  const wf = parsed.get(file)!;
  const text = readText(file);
  const code = withoutComments(text);

  it('has no ${{ }} expression inside any run: script (values pass through env:)', () => {
    for (const [id, job] of jobsOf(wf)) {
      for (const s of stepsOf(job)) {
        if (typeof s.run === 'string') expect({ job: id, step: s.name, expression: s.run.includes('${{') }).toEqual({ job: id, step: s.name, expression: false });
      }
    }
  });

  it('declares explicit minimal permissions at workflow and job level', () => {
    const allowed: Record<string, string[]> = { contents: ['read', 'write'], 'pull-requests': ['write'], actions: ['read'] };
    const check = (where: string, permissions: Json | undefined) => {
      // A string would be read-all / write-all; a missing key means the repository default.
      expect({ where, isMapping: isObj(permissions) }).toEqual({ where, isMapping: true });
      for (const [scope, level] of Object.entries(obj(permissions))) {
        expect({ where, scope, allowed: (allowed[scope] ?? []).includes(String(level)) }).toEqual({ where, scope, allowed: true });
      }
    };
    check('workflow', wf.permissions);
    for (const [id, job] of jobsOf(wf)) check(`job ${id}`, job.permissions);
  });

  it('never runs on pull_request_target', () => {
    expect(Object.keys(triggersOf(wf))).not.toContain('pull_request_target');
    expect(code).not.toMatch(/pull_request_target/);
  });

  it('pins every third-party action to the full SHA of its node24 release, tag in a comment; ddlgate itself only by SHA or from its own checkout', () => {
    for (const uses of usesOf(wf)) {
      if (uses === './' || uses === './.ddlgate/action') continue; // this repository's action / ddlgate checked out at the workflow's own commit
      const own = ownWorkflowRef(uses);
      if (own || uses.startsWith(`${OWN_REPO}@`) || uses.startsWith(`${OWN_REPO}/`)) {
        // ddlgate's own workflows: a full commit SHA and the version in a comment, never a tag or branch.
        expect({ uses, pinned: own !== undefined && /^[0-9a-f]{40}$/.test(own.ref) }).toEqual({ uses, pinned: true });
        const line = text.split('\n').find((l) => l.includes(uses))!;
        expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/);
        continue;
      }
      const [name, ref] = uses.split('@') as [string, string];
      expect({ uses, known: name in PINNED }).toEqual({ uses, known: true });
      expect({ uses, sha: ref }).toEqual({ uses, sha: PINNED[name]!.sha });
      const line = text.split('\n').find((l) => l.includes(uses))!;
      expect(line.trim().endsWith(`# ${PINNED[name]!.tag}`)).toBe(true);
    }
  });

  it('passes every secret to a called workflow explicitly, or `inherit` only to ddlgate pinned by SHA', () => {
    for (const [id, job] of jobsOf(wf)) {
      if (job.secrets === undefined) continue;
      if (job.secrets === 'inherit') {
        const own = ownWorkflowRef(String(job.uses));
        expect({ job: id, inheritToPinnedDdlgate: own !== undefined && /^[0-9a-f]{40}$/.test(own.ref) }).toEqual({ job: id, inheritToPinnedDdlgate: true });
      } else expect({ job: id, mapping: isObj(job.secrets) }).toEqual({ job: id, mapping: true });
    }
  });

  it('never picks a secret with && / || (a missing secret must fail, not fall through to another)', () => {
    for (const value of stringsOf(wf)) {
      for (const expr of expressionsIn(value)) {
        if (/secrets[.[]/.test(expr)) expect({ expr, choice: /&&|\|\|/.test(expr) }).toEqual({ expr, choice: false });
      }
    }
  });

  it("every ${{ }} parses with GitHub's expression package", () => {
    for (const value of stringsOf(wf)) for (const expr of expressionsIn(value)) expect(() => parseExpression(expr)).not.toThrow();
    for (const [, job] of jobsOf(wf)) {
      for (const cond of [job.if, ...stepsOf(job).map((s) => s.if)]) {
        if (typeof cond === 'string') expect(() => parseExpression(cond.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1'))).not.toThrow();
      }
    }
  });

  it('checks out without persisting the token in .git/config', () => {
    for (const [, job] of jobsOf(wf)) {
      for (const s of stepsOf(job)) {
        if (typeof s.uses === 'string' && s.uses.startsWith('actions/checkout@')) expect(obj(s.with)['persist-credentials']).toBe(false);
      }
    }
  });
});

describe('pins of ddlgate itself', () => {
  it('examples and docs reference the workflows by one full commit SHA with a version comment, and that commit holds them', () => {
    const refs = references();
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const r of refs) expect(r).toMatchObject({ ref: expect.stringMatching(/^[0-9a-f]{40}$/), version: expect.stringMatching(/^v\d+\.\d+\.\d+$/) });
    expect(checkPins()).toEqual([]);
  });

  it('no workflow, example or doc calls ddlgate by a tag, a branch or a placeholder owner', () => {
    for (const file of [...files, 'docs/workflows.md', 'README.md', 'action.yml']) {
      const text = readText(file);
      expect({ file, placeholder: /ddlgate-dev\//.test(text) }).toEqual({ file, placeholder: false });
      for (const m of text.matchAll(/ddlgate\/ddlgate(\/[\w./-]+)?@([\w.-]+)/g)) expect({ file, ref: m[2] }).toEqual({ file, ref: expect.stringMatching(/^[0-9a-f]{40}$/) });
    }
  });

  it('the reusable workflows run the action from their own commit: job.workflow_repository at job.workflow_sha, before `uses: ./.ddlgate/action`', () => {
    for (const file of [CHECK, DEPLOY]) {
      for (const [id, job] of jobsOf(parsed.get(file)!)) {
        const steps = stepsOf(job);
        const first = steps.findIndex((s) => s.uses === './.ddlgate/action');
        if (first < 0) continue;
        const resolve = steps.findIndex((s) => s.name === "Resolve ddlgate's own commit");
        const checkout = steps.findIndex((s) => obj(s.with).path === '.ddlgate/action');
        expect({ file, id, order: resolve >= 0 && resolve < checkout && checkout < first }).toEqual({ file, id, order: true });
        expect(obj(steps[resolve]!.env)).toMatchObject({ WORKFLOW_REPOSITORY: '${{ job.workflow_repository }}', WORKFLOW_SHA: '${{ job.workflow_sha }}' });
        expect(obj(steps[checkout]!.with)).toMatchObject({ repository: '${{ steps.ddlgate.outputs.repository }}', ref: '${{ steps.ddlgate.outputs.sha }}' });
      }
    }
  });

  it('the commit resolution refuses a missing context (GitHub Enterprise Server) unless given, and anything but a full SHA', () => {
    const resolve = findStep(deploy, 'apply', "Resolve ddlgate's own commit");
    const sha = 'a'.repeat(40);
    const ok = runStep(resolve, { WORKFLOW_REPOSITORY: 'ddlgate/ddlgate', WORKFLOW_SHA: sha, OVERRIDE_REPOSITORY: '', OVERRIDE_SHA: '' });
    expect(ok.outputs).toEqual({ repository: 'ddlgate/ddlgate', sha });
    const ghes = runStep(resolve, { WORKFLOW_REPOSITORY: '', WORKFLOW_SHA: '', OVERRIDE_REPOSITORY: '', OVERRIDE_SHA: '' });
    expect(ghes.code).toBe(1);
    expect(ghes.stdout).toContain('pass ddlgate-repository and ddlgate-sha');
    expect(runStep(resolve, { WORKFLOW_REPOSITORY: '', WORKFLOW_SHA: '', OVERRIDE_REPOSITORY: 'acme/ddlgate', OVERRIDE_SHA: sha }).outputs.repository).toBe('acme/ddlgate');
    expect(runStep(resolve, { WORKFLOW_REPOSITORY: 'ddlgate/ddlgate', WORKFLOW_SHA: 'main', OVERRIDE_REPOSITORY: '', OVERRIDE_SHA: '' }).code).toBe(1);
  });
});

// ---- caller + called workflow -------------------------------------------------------------------------------

const PERMISSION_RANK: Record<string, number> = { none: 0, read: 1, write: 2 };

/** The permissions a job gets: its own block, else its workflow's. */
function effectivePermissions(wf: Obj, job: Obj): Obj {
  return obj(job.permissions ?? wf.permissions);
}

describe('example callers with the workflows they call (at the pinned commit)', () => {
  const callers = listYaml(EXAMPLES).flatMap((file) =>
    jobsOf(parsed.get(file)!)
      .filter(([, job]) => typeof job.uses === 'string')
      .map(([id, job]) => ({ file, id, job, ref: ownWorkflowRef(String(job.uses))! })),
  );

  it('every example job calls one of ddlgate\'s workflows, pinned', () => {
    expect(callers.length).toBe(4);
    for (const c of callers) expect(c.ref).toBeDefined();
  });

  it.each(listYaml(EXAMPLES))("%s: GitHub's parser loads it with the called workflow: inputs and secrets declared and required ones given", async (file) => {
    expect(await parserErrors(file)).toEqual([]);
  });

  it('no called job asks for more than the caller job grants (GitHub rejects the whole run otherwise)', () => {
    for (const c of callers) {
      const called = loadYaml(gitShow(c.ref.ref, c.ref.path), c.ref.path);
      const grant = obj(c.job.permissions);
      for (const [jobId, job] of jobsOf(called)) {
        for (const [scope, level] of Object.entries(effectivePermissions(called, job))) {
          const given = String(grant[scope] ?? 'none');
          expect({ caller: `${c.file} ${c.id}`, called: `${c.ref.path} ${jobId}`, scope, level, given, ok: PERMISSION_RANK[given]! >= PERMISSION_RANK[String(level)]! }).toMatchObject({ ok: true });
        }
      }
    }
  });

  it('no job of the workflows as they are now asks for more than the example callers grant (the next release needs no caller change)', () => {
    for (const c of callers) {
      const current = parsed.get(c.ref.path)!;
      const grant = obj(c.job.permissions);
      for (const [jobId, job] of jobsOf(current)) {
        for (const [scope, level] of Object.entries(effectivePermissions(current, job))) {
          const given = String(grant[scope] ?? 'none');
          expect({ caller: `${c.file} ${c.id}`, called: `${c.ref.path} ${jobId}`, scope, level, given, ok: PERMISSION_RANK[given]! >= PERMISSION_RANK[String(level)]! }).toMatchObject({ ok: true });
        }
      }
    }
  });

  it('gives inputs of the declared types, and reads only outputs the called workflow declares', () => {
    for (const c of callers) {
      const called = loadYaml(gitShow(c.ref.ref, c.ref.path), c.ref.path);
      const call = obj(triggersOf(called).workflow_call);
      const declared = obj(call.inputs);
      for (const [name, value] of Object.entries(obj(c.job.with))) {
        const type = obj(declared[name]).type;
        if (typeof value !== 'string' || !value.includes('${{')) {
          const jsType = typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'string';
          expect({ caller: c.file, input: name, type: jsType }).toEqual({ caller: c.file, input: name, type });
        }
      }
      // needs.<this job>.outputs.<name> anywhere in the caller must be a declared output.
      const outputs = Object.keys(obj(call.outputs));
      const text = readText(c.file);
      for (const m of text.matchAll(new RegExp(`needs\\.${c.id}\\.outputs\\.([\\w-]+)`, 'g'))) expect({ caller: c.file, output: m[1], declared: outputs.includes(m[1]!) }).toEqual({ caller: c.file, output: m[1], declared: true });
    }
  });

  it('the pinned called workflows are what the journeys below evaluate (or an earlier release of them)', () => {
    for (const c of callers) expect(() => gitShow(c.ref.ref, c.ref.path)).not.toThrow();
  });
});

describe('the release step lives in its own workflow', () => {
  it('only migrations-release.yml asks for contents: write; the deploy workflow asks for no write at all', () => {
    for (const [id, job] of jobsOf(deploy)) expect({ id, write: JSON.stringify(job.permissions ?? {}).includes('write') }).toEqual({ id, write: false });
    expect(obj(obj(parsed.get(RELEASE)!.jobs).release).permissions).toEqual({ contents: 'write' });
    const production = parsed.get(`${EXAMPLES}/deploy-production.yml`)!;
    expect(obj(obj(production.jobs).migrate).permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(obj(obj(production.jobs).release).permissions).toEqual({ contents: 'write' });
  });
});

// ---- journeys ------------------------------------------------------------------------------------------

interface Row {
  job: string;
  runs: string;
  environment: string;
  permissions: string;
  secrets: string;
  does: string;
}

const DOES: Record<string, string> = {
  check: 'lint + dry-run on a throwaway service container, with the latest production snapshot (artifact); sticky PR comment',
  preflight: 'inputs, phrase, vX.Y.Z tag, target matrix',
  plan: 'protection rules of the apply environment; dry-run; plan to summary + artifact',
  apply: 'approved plan re-checked, pg_dump of the server major, backup, apply, verify; production: snapshot published',
  summary: 'one table; release notes output',
  release: 'release notes appended to the tag\'s release',
};

const permissionText = (p: Obj): string => (Object.keys(p).length ? Object.entries(p).map(([k, v]) => `${k}: ${v}`).join(', ') : 'none');

/** The secrets a job reads (names), and from where. */
function secretsText(job: Obj, environment: string | null, matrix: Obj, inherit: boolean): string {
  const names = new Set<string>();
  const text = JSON.stringify(job);
  for (const m of text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  if (text.includes('secrets[matrix.target.secret-name]')) names.add(String(obj(matrix.target)['secret-name']));
  if (names.size === 0) return 'none';
  const where = environment && inherit ? ` of \`${environment}\`` : '';
  return `${[...names].sort().join(', ')}${where}`;
}

const GITHUB_BASE = { repository: 'acme/shop', server_url: 'https://github.com', run_id: '4242', run_attempt: '1', workflow: 'x', event: { repository: { private: true } } };

/** Runs the called deploy workflow's jobs for a caller's evaluated inputs; returns rows and the apply result. */
function simulateDeploy(callerJob: string, inputs: Obj, github: Obj, inherit: boolean): { rows: Row[]; outputs: Obj } {
  const rows: Row[] = [];
  const call = obj(triggersOf(deploy).workflow_call);
  const withDefaults: Obj = {};
  for (const [name, spec] of Object.entries(obj(call.inputs))) withDefaults[name] = obj(spec).default ?? null;
  Object.assign(withDefaults, inputs);
  const ctx: Obj = { inputs: withDefaults, github, job: { workflow_repository: OWN_REPO, workflow_sha: 'a'.repeat(40) }, secrets: {}, env: {} };
  const jobs = obj(deploy.jobs);
  const label = (id: string, suffix = '') => `${callerJob} / ${id}${suffix}`;

  const preflightJob = obj(jobs.preflight);
  const preflightStep = stepsOf(preflightJob)[0]!;
  const pre = runStep(preflightStep, stepEnv(preflightStep, ctx));
  const failure = /::error title=ddlgate preflight::(.*)/.exec(pre.stdout)?.[1];
  rows.push({ job: label('preflight'), runs: pre.code === 0 ? 'runs' : `fails: ${failure}`, environment: '—', permissions: permissionText(obj(preflightJob.permissions)), secrets: 'none', does: DOES.preflight! });
  const results: Record<string, string> = { preflight: pre.code === 0 ? 'success' : 'failure' };
  const targets = pre.code === 0 ? (JSON.parse(pre.outputs.targets!) as Obj[]) : [];

  for (const id of ['plan', 'apply'] as const) {
    const job = obj(jobs[id]);
    const needs = ([] as string[]).concat(job.needs as string[]);
    const status = { needs: Object.fromEntries(needs.map((n) => [n, results[n] ?? 'skipped'])) };
    if (needs.some((n) => results[n] !== 'success')) {
      rows.push({ job: label(id), runs: 'not reached', environment: '—', permissions: permissionText(obj(job.permissions)), secrets: '—', does: DOES[id]! });
      results[id] = 'skipped';
      continue;
    }
    const runs = evaluateIf(job.if, ctx, status);
    for (const target of targets) {
      const mctx = { ...ctx, matrix: { target } };
      const environment = String(evaluateValue(job.environment as Json, mctx));
      rows.push({
        job: label(id, ` (${String(target.name)})`),
        runs: runs ? 'runs' : 'skipped (dry-run-only)',
        environment: runs ? `\`${environment}\`${id === 'apply' ? ' — reviewers approve first' : ''}` : '—',
        permissions: permissionText(obj(job.permissions)),
        secrets: runs ? secretsText(job, environment, { target }, inherit) : '—',
        does: DOES[id]!,
      });
    }
    results[id] = runs ? 'success' : 'skipped';
  }
  const summary = obj(jobs.summary);
  const summaryRuns = evaluateIf(summary.if, { ...ctx, needs: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { result: v }])) }, { needs: results });
  rows.push({ job: label('summary'), runs: summaryRuns ? 'runs' : 'skipped', environment: '—', permissions: permissionText(obj(summary.permissions)), secrets: 'none', does: DOES.summary! });
  return { rows, outputs: { result: results.apply ?? 'skipped', applied: results.apply === 'success' ? '### production (production)\n- `…`' : '' } };
}

/** A caller file, for one event: trigger match, each job's `if`, `with:` evaluated, and the called workflow simulated. */
function simulateCaller(file: string, github: Obj, dispatchInputs: Obj = {}): { triggered: boolean; rows: Row[] } {
  const wf = parsed.get(file)!;
  const on = triggersOf(wf);
  const event = String(github.event_name);
  let triggered = event in on;
  if (triggered && event === 'push' && github.ref_type === 'tag') triggered = matchesFilters(String(github.ref_name), (obj(on.push).tags as string[]) ?? []);
  if (triggered && event === 'push' && github.ref_type === 'branch') triggered = matchesFilters(String(github.ref_name), (obj(on.push).branches as string[]) ?? ['**']);
  if (!triggered) return { triggered, rows: [] };
  // workflow_dispatch inputs: defaults, then what the user typed (booleans as booleans).
  const inputs: Obj = {};
  if (event === 'workflow_dispatch') {
    for (const [name, spec] of Object.entries(obj(obj(on.workflow_dispatch).inputs))) inputs[name] = obj(spec).default ?? null;
    Object.assign(inputs, dispatchInputs);
  }
  const ctx: Obj = { github, inputs, secrets: {}, env: {}, vars: {} };
  const rows: Row[] = [];
  const needsCtx: Obj = {};
  const results: Record<string, string> = {};
  for (const [id, job] of jobsOf(wf)) {
    const needs = job.needs === undefined ? [] : ([] as string[]).concat(job.needs as string[]);
    const jobCtx = { ...ctx, needs: needsCtx };
    const runs = evaluateIf(job.if, jobCtx, { needs: Object.fromEntries(needs.map((n) => [n, results[n] ?? 'skipped'])) });
    const ref = ownWorkflowRef(String(job.uses))!;
    if (!runs) {
      rows.push({ job: `${id} (${path.basename(ref.path)})`, runs: 'skipped', environment: '—', permissions: permissionText(obj(job.permissions)), secrets: '—', does: DOES[id] ?? '' });
      results[id] = 'skipped';
      continue;
    }
    const given: Obj = {};
    for (const [name, value] of Object.entries(obj(job.with))) given[name] = evaluateValue(value, jobCtx);
    if (ref.path.endsWith('migrations-deploy.yml')) {
      const sim = simulateDeploy(id, given, github, job.secrets === 'inherit');
      rows.push(...sim.rows);
      needsCtx[id] = { result: 'success', outputs: sim.outputs };
      results[id] = 'success';
    } else if (ref.path.endsWith('migrations-release.yml')) {
      const release = obj(obj(parsed.get(RELEASE)!.jobs).release);
      rows.push({ job: `${id} / release notes`, runs: `runs (tag ${String(given.tag)})`, environment: '—', permissions: permissionText(obj(release.permissions)), secrets: 'none', does: DOES.release! });
      results[id] = 'success';
    } else {
      const check = obj(obj(parsed.get(CHECK)!.jobs).check);
      rows.push({ job: `${id} / ${String(check.name)}`, runs: 'runs', environment: '—', permissions: permissionText(obj(check.permissions)), secrets: 'none', does: DOES.check! });
      results[id] = 'success';
    }
  }
  return { triggered, rows };
}

export function renderRows(rows: Row[]): string {
  return [
    '| job | runs? | environment | permissions | secrets it can read | what it does |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.job} | ${r.runs} | ${r.environment} | ${r.permissions} | ${r.secrets} | ${r.does} |`),
  ].join('\n');
}

const docs = readText('docs/workflows.md');
const rendered: string[] = [];
afterAll(() => {
  // DDLGATE_JOURNEYS_OUT=file writes the tables for docs/workflows.md.
  if (process.env.DDLGATE_JOURNEYS_OUT) writeFileSync(process.env.DDLGATE_JOURNEYS_OUT, rendered.join('\n\n'));
});

function expectDocumented(title: string, rows: Row[]): void {
  const table = renderRows(rows);
  rendered.push(`#### ${title}\n\n${table}`);
  expect(docs).toContain(table);
}

/** A git repository whose HEAD is a merge commit of a pull request, as actions/checkout leaves it. */
function pullRequestCheckout(changed: Record<string, string>): string {
  const dir = path.join(scratch(), `pr-${Object.keys(changed).join('-').replace(/\W+/g, '_')}`);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
  git('init', '-q', '-b', 'main');
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  writeFileSync(path.join(dir, 'migrations/001_users.up.sql'), 'CREATE TABLE users (id int);\n');
  writeFileSync(path.join(dir, 'README.md'), '# shop\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  git('checkout', '-qb', 'feature');
  for (const [file, content] of Object.entries(changed)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git('add', '-A');
  git('commit', '-qm', 'change');
  git('checkout', '-q', 'main');
  writeFileSync(path.join(dir, 'other.txt'), 'main moved on\n');
  git('add', '-A');
  git('commit', '-qm', 'main moves');
  git('merge', '-q', '--no-ff', '-m', 'merge', 'feature');
  return dir;
}

describe('journey 1: a pull request that touches migrations', () => {
  const file = `${EXAMPLES}/pr-migrations.yml`;
  const github = { ...GITHUB_BASE, event_name: 'pull_request', ref: 'refs/pull/7/merge', ref_type: 'branch', ref_name: '7/merge' };

  it('triggers on every pull request (no paths filter: the check can be required) and runs the check job', () => {
    expect(obj(triggersOf(parsed.get(file)!)).pull_request).toBeNull();
    const sim = simulateCaller(file, github);
    expect(sim.triggered).toBe(true);
    expectDocumented('A pull request', sim.rows);
  });

  it('the check job itself decides: migrations changed → lint and dry-run run; only other files → it passes at once', () => {
    const check = obj(obj(parsed.get(CHECK)!.jobs).check);
    const changes = findStep(parsed.get(CHECK)!, 'check', 'Did the migrations change?');
    const env = { EVENT_NAME: 'pull_request', MIGRATIONS_DIR: 'migrations', EXTRA_PATHS: 'ddlgate.json' };
    const touched = runStep(changes, env, { cwd: pullRequestCheckout({ 'migrations/002_orders.up.sql': 'CREATE TABLE orders (id int);\n' }) });
    expect(touched.outputs.changed).toBe('true');
    expect(touched.stdout).toContain('migrations/002_orders.up.sql');
    const config = runStep(changes, env, { cwd: pullRequestCheckout({ 'ddlgate.json': '{}\n' }) });
    expect(config.outputs.changed).toBe('true');
    const other = runStep(changes, env, { cwd: pullRequestCheckout({ 'src/app.ts': 'x\n' }) });
    expect(other.outputs.changed).toBe('false');
    expect(other.summary).toContain('no migration changed');
    // "main moves" changed other.txt on the base side: not the pull request's change.
    expect(other.stdout).not.toContain('other.txt');

    const after = (changed: string) => stepsOf(check).filter((s) => evaluateIf(s.if, { steps: { changes: { outputs: { changed } } }, inputs: {}, github, job: {} }, { jobStatus: 'success' })).map((s) => String(s.name));
    expect(after('true')).toEqual(['Check out the pull request', 'Did the migrations change?', "Resolve ddlgate's own commit", 'Check out ddlgate at that commit', 'Find the latest production snapshot', 'ddlgate lint and dry-run']);
    expect(after('false')).toEqual(['Check out the pull request', 'Did the migrations change?']);
    const action = findStep(parsed.get(CHECK)!, 'check', 'ddlgate lint and dry-run');
    expect(obj(action.with)).toMatchObject({ command: 'dry-run', 'replay-base': 'true', 'database-url': 'postgresql://postgres@localhost:5432/postgres' });
  });

  it('the check\'s name is the one docs/workflows.md gives, and its concurrency group names the workflow', () => {
    const check = obj(obj(parsed.get(CHECK)!.jobs).check);
    expect(`ddlgate / ${String(check.name)}`).toBe('ddlgate / lint and dry-run');
    expect(docs).toContain('`ddlgate / lint and dry-run`');
    expect(String(obj(check.concurrency).group)).toContain('${{ github.workflow }}');
  });
});

describe('journey 2: pushing the tag v1.2.3', () => {
  const file = `${EXAMPLES}/deploy-production.yml`;
  const tag = (name: string) => ({ ...GITHUB_BASE, event_name: 'push', ref: `refs/tags/${name}`, ref_type: 'tag', ref_name: name });

  it('starts only for vX.Y.Z tags', () => {
    for (const name of ['v1.2.3', 'v0.0.1', 'v10.20.30']) expect({ name, triggered: simulateCaller(file, tag(name)).triggered }).toEqual({ name, triggered: true });
    for (const name of ['v1.2.3-rc.1', 'v1.2', 'v1.2.3.4', '1.2.3', 'v1.x.3', 'release-1']) expect({ name, triggered: simulateCaller(file, tag(name)).triggered }).toEqual({ name, triggered: false });
  });

  it('plans in production-plan, applies in production after approval, then appends the release notes', () => {
    const sim = simulateCaller(file, tag('v1.2.3'));
    expectDocumented('Tag `v1.2.3`', sim.rows);
    expect(sim.rows.map((r) => [r.job, r.runs])).toEqual([
      ['migrate / preflight', 'runs'],
      ['migrate / plan (production)', 'runs'],
      ['migrate / apply (production)', 'runs'],
      ['migrate / summary', 'runs'],
      ['release / release notes', 'runs (tag v1.2.3)'],
    ]);
  });
});

describe('journey 3: manual dispatch', () => {
  const file = `${EXAMPLES}/deploy-production.yml`;
  const github = { ...GITHUB_BASE, event_name: 'workflow_dispatch', ref: 'refs/heads/main', ref_type: 'branch', ref_name: 'main' };

  it('wrong phrase with dry_run unticked: preflight fails, nothing else starts, nobody is asked to approve', () => {
    const sim = simulateCaller(file, github, { environment: 'production', dry_run: false, confirm: 'migrate-production' });
    expectDocumented('Manual run, production, dry_run unticked, confirm `migrate-production`', sim.rows);
    expect(sim.rows[0]!.runs).toBe('fails: applying to production needs confirm: MIGRATE-PRODUCTION exactly (or run with dry-run-only: true)');
    expect(sim.rows.slice(1).map((r) => [r.job, r.runs])).toEqual([
      ['migrate / plan', 'not reached'],
      ['migrate / apply', 'not reached'],
      ['migrate / summary', 'skipped'],
      ['release (migrations-release.yml)', 'skipped'],
    ]);
  });

  it('right phrase and dry_run=false: plan, approval, apply; no release (not a tag)', () => {
    const sim = simulateCaller(file, github, { environment: 'production', dry_run: false, confirm: PHRASE });
    expectDocumented('Manual run, production, dry_run unticked, confirm `MIGRATE-PRODUCTION`', sim.rows);
    expect(sim.rows.find((r) => r.job.startsWith('migrate / apply'))!.runs).toBe('runs');
    expect(sim.rows.find((r) => r.job.startsWith('release'))!.runs).toBe('skipped');
  });

  it('the defaults (dry_run ticked, no phrase): the plan only', () => {
    const sim = simulateCaller(file, github, {});
    expectDocumented('Manual run with the defaults (production, dry_run ticked)', sim.rows);
    expect(sim.rows.find((r) => r.job.startsWith('migrate / plan'))!.runs).toBe('runs');
    expect(sim.rows.find((r) => r.job.startsWith('migrate / apply'))!.runs).toBe('skipped (dry-run-only)');
  });
});

describe('the right database by construction', () => {
  const select = (job: string) => findStep(deploy, job, 'Select the database URL');
  const PROD = 'postgres://owner:prod-secret@db.prod.internal:5432/shop';

  it('a staging run whose environments have no DATABASE_URL fails, and no expression of it ever resolves the production URL', () => {
    // What a staging job sees with secrets: inherit: the repository's secrets overlaid with the
    // staging environment's — here staging defines none, and only production-named secrets exist.
    const secrets = { PRODUCTION_DATABASE_URL: PROD, STAGING_DATABASE_URL: '' };
    const pre = runStep(stepsOf(obj(obj(deploy.jobs).preflight))[0]!, { ENVIRONMENT: 'staging', DRY_RUN_ONLY: 'false', CONFIRM: '', REVIEW_WINDOW: '', TARGETS: '', MAX_PARALLEL: '4', PLAN_SUFFIX: '-plan', REF_TYPE: 'branch', REF_NAME: 'staging' });
    const target = JSON.parse(pre.outputs.targets!)[0] as Obj;
    for (const job of ['plan', 'apply']) {
      const ctx: Obj = { matrix: { target }, secrets, inputs: {}, github: GITHUB_BASE, steps: {}, env: {}, job: {}, runner: { temp: '/tmp' } };
      for (const [jobId, j] of jobsOf(deploy)) {
        if (jobId !== job) continue;
        for (const value of stringsOf(j)) {
          for (const expr of expressionsIn(value)) {
            let result: Json = null;
            try {
              result = evaluate(expr, ctx);
            } catch {
              continue; // a function this test does not implement (fromJSON of a later job's output …)
            }
            expect({ job, expr, production: JSON.stringify(result).includes('prod-secret') }).toEqual({ job, expr, production: false });
          }
        }
      }
      const r = runStep(select(job), stepEnv(select(job), ctx));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`::error title=ddlgate::secret DATABASE_URL is empty in environment "${job === 'plan' ? 'staging-plan' : 'staging'}"`);
      expect(r.outputs.url).toBeUndefined();
      expect(r.stdout).not.toContain('prod-secret');
    }
  });

  it('the URL comes from the one secret name of the job\'s environment, masked with its password', () => {
    const url = 'postgres://app:s3cr%40t@db.internal:5432/shop';
    const r = runStep(select('apply'), { SECRET_NAME: 'DATABASE_URL', JOB_ENVIRONMENT: 'production', URL: url });
    expect(r.code).toBe(0);
    expect(r.outputs.url).toBe(url);
    expect(r.stdout).toContain(`::add-mask::${url}`);
    expect(r.stdout).toContain('::add-mask::s3cr%40t');
    for (const job of ['plan', 'apply']) expect(obj(select(job).env).URL).toBe('${{ secrets[matrix.target.secret-name] }}');
  });

  it('examples pass secrets: inherit to the deploy workflow (environment secrets), never a mapping that picks between secrets', () => {
    for (const file of [`${EXAMPLES}/deploy-staging.yml`, `${EXAMPLES}/deploy-production.yml`]) expect(obj(obj(parsed.get(file)!.jobs).migrate).secrets).toBe('inherit');
    expect(Object.keys(obj(obj(triggersOf(deploy).workflow_call).secrets))).toEqual(['DATABASE_URL', 'BACKUP_PASSPHRASE']);
  });
});

describe('migrations-deploy.yml', () => {
  const jobs = obj(deploy.jobs);

  it('has preflight → plan → apply → summary; the apply job needs the plan and runs in the protected environment', () => {
    expect(Object.keys(jobs)).toEqual(['preflight', 'plan', 'apply', 'summary']);
    const preflight = obj(jobs.preflight);
    expect(preflight.environment).toBeUndefined();
    expect(preflight.permissions).toEqual({});
    expect(JSON.stringify(preflight)).not.toMatch(/secrets[.[]/);
    expect(obj(jobs.plan)).toMatchObject({ needs: 'preflight', environment: '${{ matrix.target.plan-environment }}', permissions: { contents: 'read', actions: 'read' } });
    expect(obj(jobs.apply)).toMatchObject({ needs: ['preflight', 'plan'], environment: '${{ matrix.target.environment }}', if: '${{ !inputs.dry-run-only }}', permissions: { contents: 'read' } });
  });

  it('applies one at a time per environment, across workflows, queueing instead of dropping runs, never cancelling one in progress', () => {
    const concurrency = obj(obj(jobs.apply).concurrency);
    expect(concurrency).toEqual({ group: 'ddlgate-deploy-${{ matrix.target.environment }}${{ matrix.target.group-suffix }}', 'cancel-in-progress': false, queue: 'max' });
  });

  it('the plan refuses an unprotected production first, then writes the plan artifact; the apply uses exactly that plan', () => {
    const plan = stepsOf(obj(jobs.plan));
    const names = plan.map((s) => String(s.name));
    expect(names.indexOf('Refuse an unprotected production environment')).toBeLessThan(names.indexOf('Select the database URL'));
    expect(obj(findStep(deploy, 'plan', 'Refuse an unprotected production environment').with)).toMatchObject({ command: 'preflight', environment: '${{ matrix.target.environment }}', 'allow-unprotected-production': '${{ inputs.allow-unprotected-production }}' });
    expect(obj(findStep(deploy, 'plan', 'Plan (dry-run of the pending migrations)').with)).toMatchObject({ command: 'dry-run', 'plan-file': '${{ runner.temp }}/ddlgate-plan/plan.json', environment: '${{ matrix.target.environment }}', 'read-only': '${{ inputs.plan-read-only }}' });
    // A read-only plan is the caller's explicit choice (the plan environment's DATABASE_URL is then a read-only role).
    expect(obj(obj(obj(triggersOf(deploy).workflow_call).inputs)['plan-read-only'])).toMatchObject({ type: 'boolean', default: false });
    expect(obj(findStep(deploy, 'plan', 'Upload the plan').with).name).toBe('ddlgate-plan-${{ matrix.target.name }}');
    expect(obj(findStep(deploy, 'apply', 'Download the approved plan').with).name).toBe('ddlgate-plan-${{ matrix.target.name }}');
    expect(obj(findStep(deploy, 'apply', 'Apply').with)).toMatchObject({ command: 'apply', 'plan-file': '${{ runner.temp }}/ddlgate-plan/plan.json', confirm: '${{ inputs.confirm }}' });
  });

  it('rollback instructions also when the run is cancelled or times out mid-apply', () => {
    expect(findStep(deploy, 'apply', 'Rollback instructions').if).toBe('${{ failure() || cancelled() }}');
    expect(evaluateIf('${{ failure() || cancelled() }}', {}, { jobStatus: 'cancelled', cancelled: true })).toBe(true);
  });

  it('refreshes the production snapshot only after a successful production apply, and publishes it for the PR checks', () => {
    const names = stepsOf(obj(jobs.apply)).map((s) => String(s.name));
    const refresh = findStep(deploy, 'apply', 'Refresh the production snapshot');
    const publish = findStep(deploy, 'apply', 'Publish the production snapshot');
    // After the apply, its verification and the smoke test; before the rollback instructions.
    expect(names.indexOf('Refresh the production snapshot')).toBeGreaterThan(names.indexOf('Smoke test'));
    expect(names.indexOf('Publish the production snapshot')).toBe(names.indexOf('Refresh the production snapshot') + 1);
    expect(names.indexOf('Rollback instructions')).toBeGreaterThan(names.indexOf('Publish the production snapshot'));
    expect(obj(refresh.with)).toMatchObject({ command: 'snapshot', 'database-url': '${{ steps.db.outputs.url }}', stats: '${{ runner.temp }}/ddlgate-snapshot/production-snapshot.json', redact: '${{ inputs.snapshot-redact }}' });
    expect(refresh.uses).toBe('./.ddlgate/action');
    // A snapshot problem after a good apply must not fail the job (that would print rollback instructions).
    expect([refresh['continue-on-error'], publish['continue-on-error']]).toEqual([true, true]);

    const production = { name: 'production', environment: 'production', production: true };
    const when = (target: Obj, apply: string, jobStatus: 'success' | 'failure' | 'cancelled' = 'success') =>
      evaluateIf(refresh.if, { matrix: { target }, steps: { apply: { outcome: apply } }, inputs: {}, github: GITHUB_BASE }, { jobStatus, cancelled: jobStatus === 'cancelled' });
    expect(when(production, 'success')).toBe(true);
    expect(when({ name: 'staging', environment: 'staging', production: false }, 'success')).toBe(false);
    expect(when(production, 'failure', 'failure')).toBe(false);
    expect(when(production, 'skipped')).toBe(false);
    expect(when(production, 'success', 'cancelled')).toBe(false);
    // A later step that failed (the smoke test): no snapshot of a production nobody vouched for.
    expect(when(production, 'success', 'failure')).toBe(false);

    const published = (outcome: string) => evaluateIf(publish.if, { steps: { snapshot: { outcome } }, inputs: {}, github: GITHUB_BASE }, { jobStatus: 'success' });
    expect([published('success'), published('failure'), published('skipped')]).toEqual([true, false, false]);
    expect(String(publish.uses)).toMatch(/^actions\/upload-artifact@[0-9a-f]{40}$/);
    expect(obj(publish.with)).toMatchObject({ path: '${{ runner.temp }}/ddlgate-snapshot/production-snapshot.json', 'retention-days': '${{ inputs.snapshot-retention-days }}', overwrite: true });
    // One artifact per production database; the single-database name is what the check looks for by default.
    expect(evaluateValue(obj(publish.with).name as Json, { matrix: { target: production } })).toBe('ddlgate-snapshot-production');
    const checkInputs = obj(obj(triggersOf(parsed.get(CHECK)!).workflow_call).inputs);
    expect(obj(checkInputs['snapshot-artifact']).default).toBe('ddlgate-snapshot-production');
  });
});

// ---- shell steps, executed -----------------------------------------------------------------------------

describe('the PR check finds the latest production snapshot (executed against a stand-in GitHub API on 127.0.0.1)', () => {
  const check = parsed.get(CHECK)!;
  const find = findStep(check, 'check', 'Find the latest production snapshot');
  const download = findStep(check, 'check', 'Download the production snapshot');
  const REPO_ID = 101;
  const FORK_ID = 202;
  let server: Server;
  let api = '';
  let artifacts: Obj[] = [];
  const runs: Record<string, string> = { '11': 'push', '12': 'pull_request', '13': 'workflow_dispatch', '14': 'pull_request_target' };
  let listStatus = 200;
  const seen: Array<{ url: string; authorization: string | undefined }> = [];
  const artifact = (id: number, run: number, created: string, extra: Obj = {}): Obj => ({ id, name: 'ddlgate-snapshot-production', expired: false, created_at: created, workflow_run: { id: run, repository_id: REPO_ID, head_repository_id: REPO_ID }, ...extra });

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: Json) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/repos/acme/shop/actions/artifacts') {
        if (listStatus !== 200) return json(listStatus, { message: 'Resource not accessible by integration' });
        return json(200, { total_count: artifacts.length, artifacts: artifacts.filter((a) => a.name === url.searchParams.get('name')) });
      }
      const run = /^\/repos\/acme\/shop\/actions\/runs\/(\d+)$/.exec(url.pathname);
      if (run && runs[run[1]!]) return json(200, { id: Number(run[1]), event: runs[run[1]!] });
      return json(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const env = (artifactName = 'ddlgate-snapshot-production') => ({ GH_TOKEN: 'ghs_fork_readonly', API_URL: api, REPOSITORY: 'acme/shop', ARTIFACT: artifactName });

  it('in the check job, with the minimal permission: actions: read, no secret, before the dry-run that reads it', () => {
    const job = obj(obj(check.jobs).check);
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    expect(check.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    expect(JSON.stringify(job)).not.toMatch(/secrets[.[]/);
    expect(obj(find.env)).toMatchObject({ GH_TOKEN: '${{ github.token }}', API_URL: '${{ github.api_url }}', ARTIFACT: '${{ inputs.snapshot-artifact }}' });
    const names = stepsOf(job).map((s) => String(s.name));
    expect(names.indexOf('Find the latest production snapshot')).toBeLessThan(names.indexOf('Download the production snapshot'));
    expect(names.indexOf('Download the production snapshot')).toBeLessThan(names.indexOf('ddlgate lint and dry-run'));
    expect(String(download.uses)).toMatch(/^actions\/download-artifact@[0-9a-f]{40}$/);
    expect(obj(download.with)).toEqual({ name: '${{ inputs.snapshot-artifact }}', 'run-id': '${{ steps.snapshot.outputs.run-id }}', repository: '${{ github.repository }}', 'github-token': '${{ github.token }}', path: '${{ runner.temp }}/ddlgate-snapshot' });
    expect(download['continue-on-error']).toBe(true);
    expect(obj(findStep(check, 'check', 'ddlgate lint and dry-run').with).stats).toBe('${{ runner.temp }}/ddlgate-snapshot/production-snapshot.json');
    // Each caller example grants what the check asks (GitHub rejects the run otherwise).
    expect(obj(obj(parsed.get(`${EXAMPLES}/pr-migrations.yml`)!.jobs).ddlgate).permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    const ctx = (found: string) => ({ steps: { changes: { outputs: { changed: 'true' } }, snapshot: { outputs: { found } } }, inputs: {}, github: GITHUB_BASE });
    expect([evaluateIf(download.if, ctx('true'), { jobStatus: 'success' }), evaluateIf(download.if, ctx('false'), { jobStatus: 'success' })]).toEqual([true, false]);
  });

  it('takes the newest artifact a deploy of this repository uploaded: never a fork\'s, a pull request\'s, or an expired one', async () => {
    artifacts = [
      artifact(1, 11, '2026-11-01T10:00:00Z'),
      artifact(2, 13, '2026-11-20T10:00:00Z'),
      artifact(3, 11, '2026-11-25T10:00:00Z', { expired: true }),
      // Newer, but uploaded by pull request runs: a fork's, and one of this repository's own branches.
      artifact(4, 12, '2026-11-28T10:00:00Z', { workflow_run: { id: 12, repository_id: REPO_ID, head_repository_id: FORK_ID } }),
      artifact(5, 14, '2026-11-29T10:00:00Z'),
      artifact(6, 12, '2026-11-30T10:00:00Z'),
    ];
    seen.length = 0;
    const r = await runStepAsync(find, env());
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ found: 'true', 'run-id': '13', 'artifact-id': '2' });
    expect(r.stdout).toContain('skipping ddlgate-snapshot-production of run 12: started by pull_request');
    expect(r.stdout).toContain('skipping ddlgate-snapshot-production of run 14: started by pull_request_target');
    // The fork's artifact (4) is dropped without even asking for its run.
    expect(seen.map((s) => s.url)).toEqual(['/repos/acme/shop/actions/artifacts?name=ddlgate-snapshot-production&per_page=100', '/repos/acme/shop/actions/runs/12', '/repos/acme/shop/actions/runs/14', '/repos/acme/shop/actions/runs/13']);
    expect(new Set(seen.map((s) => s.authorization))).toEqual(new Set(['Bearer ghs_fork_readonly']));
    expect(r.stdout).not.toContain('ghs_fork_readonly');
  });

  it('no snapshot published yet, no permission, or no artifact name: a notice, never a failure', async () => {
    artifacts = [artifact(4, 12, '2026-11-28T10:00:00Z', { workflow_run: { id: 12, repository_id: REPO_ID, head_repository_id: FORK_ID } })];
    const none = await runStepAsync(find, env());
    expect(none.code).toBe(0);
    expect(none.outputs).toEqual({ found: 'false' });
    expect(none.stdout).toContain('::notice title=ddlgate snapshot::no production snapshot (ddlgate-snapshot-production) published yet');
    expect(none.summary).toContain('the deploy workflow publishes one after each production apply');

    listStatus = 403;
    const forbidden = await runStepAsync(find, env());
    listStatus = 200;
    expect([forbidden.code, forbidden.outputs.found]).toEqual([0, 'false']);
    expect(forbidden.stdout).toContain('the job needs actions: read');

    const unnamed = await runStepAsync(find, env(''));
    expect([unnamed.code, unnamed.outputs.found]).toEqual([0, 'false']);
    const bad = await runStepAsync(find, env('x&name=other'));
    expect([bad.code, bad.outputs.found]).toEqual([0, 'false']);
    expect(bad.stdout).toContain('is not an artifact name');
  });
});

describe('preflight, executed', () => {
  const preflight = stepsOf(obj(obj(deploy.jobs).preflight))[0]!;
  const base = { ENVIRONMENT: 'staging', DRY_RUN_ONLY: 'true', CONFIRM: '', REVIEW_WINDOW: '', TARGETS: '', MAX_PARALLEL: '4', PLAN_SUFFIX: '-plan', REF_TYPE: 'branch', REF_NAME: 'main' };
  const run = (env: Partial<typeof base>) => runStep(preflight, { ...base, ...env });
  const targets = (r: StepRun) => JSON.parse(r.outputs.targets ?? 'null') as Array<Record<string, unknown>>;

  it('passes a staging apply without a phrase: one target, its plan environment, no review window', () => {
    const r = run({ DRY_RUN_ONLY: 'false' });
    expect(r.code).toBe(0);
    expect(targets(r)).toEqual([{ name: 'staging', environment: 'staging', 'secret-name': 'DATABASE_URL', 'plan-environment': 'staging-plan', production: false, 'review-window': 0, 'group-suffix': '' }]);
    expect(r.summary).toContain('| staging | staging-plan | staging | plan, approve, apply | 0 s |');
  });

  it('refuses a production apply unless confirm is exactly MIGRATE-PRODUCTION', () => {
    for (const confirm of ['', 'migrate-production', ` ${PHRASE}`, `${PHRASE} `, 'yes']) {
      for (const environment of ['production', 'prod', 'Production']) {
        const r = run({ ENVIRONMENT: environment, DRY_RUN_ONLY: 'false', CONFIRM: confirm });
        expect({ confirm, environment, code: r.code }).toEqual({ confirm, environment, code: 1 });
        expect(r.stdout).toContain(`needs confirm: ${PHRASE} exactly`);
        expect(r.outputs.targets).toBeUndefined();
      }
    }
    const ok = run({ ENVIRONMENT: 'production', DRY_RUN_ONLY: 'false', CONFIRM: PHRASE });
    expect(ok.code).toBe(0);
    expect(targets(ok)[0]).toMatchObject({ environment: 'production', 'plan-environment': 'production-plan', production: true, 'review-window': 30 });
  });

  it('lets a production plan through without the phrase, and honours an explicit review window', () => {
    expect(run({ ENVIRONMENT: 'production' }).code).toBe(0);
    const r = run({ ENVIRONMENT: 'production', DRY_RUN_ONLY: 'false', CONFIRM: PHRASE, REVIEW_WINDOW: '120' });
    expect(targets(r)[0]!['review-window']).toBe(120);
    expect(run({ REVIEW_WINDOW: '5m' }).code).toBe(1);
    expect(run({ REVIEW_WINDOW: '3601' }).code).toBe(1);
  });

  it('accepts only vX.Y.Z tags when triggered by a tag', () => {
    for (const tag of ['v1.2.3', 'v0.0.1', 'v10.20.30']) expect({ tag, code: run({ REF_TYPE: 'tag', REF_NAME: tag }).code }).toEqual({ tag, code: 0 });
    for (const tag of ['v1.2', '1.2.3', 'v1.2.3-rc.1', 'v01.2.3', 'release-1', 'v1.2.3.4']) {
      const r = run({ REF_TYPE: 'tag', REF_NAME: tag });
      expect({ tag, code: r.code }).toEqual({ tag, code: 1 });
      expect(r.stdout).toContain('is not a release tag vX.Y.Z');
    }
    expect(run({ REF_TYPE: 'branch', REF_NAME: 'v1.2' }).code).toBe(0);
  });

  it('rejects a bad environment name without echoing a line break (no workflow-command injection)', () => {
    const r = run({ ENVIRONMENT: 'prod\n::add-mask::x\n::set-env name=A::b' });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::') && !l.startsWith('::error title=ddlgate preflight::'))).toEqual([]);
  });

  it('builds one matrix entry per target, each with its secret name and concurrency key; the phrase is needed when any is production', () => {
    const list = JSON.stringify([{ name: 'eu-1', 'secret-name': 'EU_1_DATABASE_URL' }, { name: 'us-1', environment: 'production' }]);
    expect(run({ TARGETS: list, DRY_RUN_ONLY: 'false' }).code).toBe(1);
    const r = run({ TARGETS: list, DRY_RUN_ONLY: 'false', CONFIRM: PHRASE });
    expect(r.code).toBe(0);
    expect(targets(r)).toEqual([
      { name: 'eu-1', environment: 'staging', 'secret-name': 'EU_1_DATABASE_URL', 'plan-environment': 'staging-plan', production: false, 'review-window': 0, 'group-suffix': '-eu-1' },
      { name: 'us-1', environment: 'production', 'secret-name': 'DATABASE_URL', 'plan-environment': 'production-plan', production: true, 'review-window': 30, 'group-suffix': '-us-1' },
    ]);
  });

  it('rejects malformed targets, and secret names GitHub does not allow, with one readable line', () => {
    const cases: Array<[string, string]> = [
      ['not json', 'input targets:'],
      ['[]', 'must be a non-empty JSON list'],
      ['["a"]', 'every entry must be an object'],
      ['[{"name":"a b"}]', 'has no valid name'],
      ['[{"name":"a","secret-name":"DATABASE-URL"}]', 'is not a secret name (letters, digits and _)'],
      ['[{"name":"a","secret-name":"GITHUB_TOKEN"}]', 'is not a secret name'],
      ['[{"name":"a"},{"name":"a"}]', 'names must be unique (repeated: a)'],
    ];
    for (const [list, message] of cases) {
      const r = run({ TARGETS: list });
      expect({ list, code: r.code, ok: r.stdout.includes(message) }).toEqual({ list, code: 1, ok: true });
    }
  });
});

describe('pg_dump of the server major, executed with stand-ins for psql and apt', () => {
  const step = findStep(deploy, 'apply', "pg_dump of the server's major");
  /** A bin directory: psql answering a server version, pg_dump of a major, sudo that can or cannot. */
  function bin(name: string, server: number, dump: number | null, sudo: boolean): string {
    const dir = path.join(scratch(), `bin-${name}`);
    mkdirSync(dir, { recursive: true });
    const write = (file: string, body: string) => {
      writeFileSync(path.join(dir, file), `#!/bin/bash\n${body}\n`);
      chmodSync(path.join(dir, file), 0o755);
    };
    write('psql', `echo ${server * 10000 + 3}`);
    if (dump !== null) write('pg_dump', `echo "pg_dump (PostgreSQL) ${dump}.4"`);
    write('sudo', sudo ? `echo "sudo $*" >> "${dir}/sudo.log"; exit 0` : 'exit 1');
    write('apt-get', 'exit 0');
    return dir;
  }

  it('passes when the runner has pg_dump of the server major or newer', () => {
    const r = runStep(step, { DATABASE_URL: 'postgres://x@h/db' }, { pathPrefix: bin('ok', 16, 17, false) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pg_dump for PostgreSQL 16 is available');
  });

  it('fails with one clear line when the server is newer and the runner cannot install packages', () => {
    const r = runStep(step, { DATABASE_URL: 'postgres://x@h/db' }, { pathPrefix: bin('old', 18, 16, false) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error title=ddlgate::the server is PostgreSQL 18 but pg_dump 18 is not installed and this runner cannot install it (no apt-get or no passwordless sudo): install postgresql-client-18 on the runner; nothing was applied');
  });

  it('installs postgresql-client-<major> from the PGDG repository when it can', () => {
    const dir = bin('install', 18, 16, true);
    const r = runStep(step, { DATABASE_URL: 'postgres://x@h/db' }, { pathPrefix: dir });
    const log = readFileSync(path.join(dir, 'sudo.log'), 'utf8');
    expect(log).toContain('/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y');
    expect(log).toContain('apt-get install -y -qq postgresql-client-18');
    // The stand-in apt installs nothing, so the final check still fails — with its own message.
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('postgresql-client-18 was installed but no pg_dump 18 was found');
  });
});

describe('rollback instructions, executed', () => {
  const rollback = findStep(deploy, 'apply', 'Rollback instructions');
  const base = {
    TARGET: 'production',
    TARGET_ENVIRONMENT: 'production',
    MIGRATIONS_DIR: 'db/migrations',
    BACKUP_ARTIFACT: 'ddlgate-backup-production-4242-1',
    DDLGATE_REPOSITORY: 'ddlgate/ddlgate',
    DDLGATE_SHA: 'b'.repeat(40),
    RUN_URL: 'https://github.com/acme/shop/actions/runs/4242',
    GITHUB_RUN_ID: '4242',
  };

  it('after a failed apply: the exact rollback invocation, pinned to the same commit, and the backup artifact', () => {
    const r = runStep(rollback, { ...base, APPLY_OUTCOME: 'failure', APPLIED: '2', BACKUP_UPLOADED: 'success', ENCRYPTED: 'true' });
    expect(r.code).toBe(0);
    expect(r.summary).toContain(`- uses: ddlgate/ddlgate@${'b'.repeat(40)}`);
    expect(r.summary).toContain('command: rollback');
    expect(r.summary).toContain('steps: "2"');
    expect(r.summary).toContain(`confirm: ${PHRASE}`);
    expect(r.summary).toContain('database-url: ${{ secrets.DATABASE_URL }}');
    expect(r.summary).toContain("npx ddlgate down --dir 'db/migrations' --steps 2 --environment production");
    expect(r.summary).toContain('gh run download 4242 --repo acme/shop --name ddlgate-backup-production-4242-1');
    expect(r.summary).toContain('gpg --decrypt');
  });

  it('after a cancellation mid-apply (no count reported): points at status first', () => {
    const r = runStep(rollback, { ...base, APPLY_OUTCOME: 'cancelled', APPLIED: '', BACKUP_UPLOADED: 'success', ENCRYPTED: 'false' });
    expect(r.summary).toContain('The apply step ended with **cancelled**');
    expect(r.summary).toContain("Run `npx ddlgate status --dir 'db/migrations'` to see what this run applied");
  });

  it('when the run stopped before the apply: says nothing was applied', () => {
    const r = runStep(rollback, { ...base, APPLY_OUTCOME: 'skipped', APPLIED: '', BACKUP_UPLOADED: '', ENCRYPTED: '' });
    expect(r.summary).toContain('Nothing was applied');
    expect(r.summary).not.toContain('command: rollback');
  });
});

describe('result record, summary and release notes, executed', () => {
  it('aggregates the latest attempt of every database and outputs the release notes', () => {
    const record = findStep(deploy, 'apply', 'Record the result');
    const work = path.join(scratch(), 'aggregate');
    mkdirSync(work);
    const report = path.join(work, 'report.json');
    writeFileSync(report, JSON.stringify({ applied: [{ version: '202501010000', name: 'add_users' }] }));
    const common = { TARGET_ENVIRONMENT: 'production', PENDING: '0', BACKUP_ARTIFACT: 'ddlgate-backup-x' };
    const results: Array<[string, Record<string, string>]> = [
      ['ddlgate-result-eu-1-1', { ...common, TARGET: 'eu-1', JOB_STATUS: 'failure', APPLY_OUTCOME: 'failure', APPLIED: '0', REPORT_PATH: '', BACKUP_UPLOADED: 'skipped', GITHUB_RUN_ATTEMPT: '1' }],
      ['ddlgate-result-eu-1-2', { ...common, TARGET: 'eu-1', JOB_STATUS: 'success', APPLY_OUTCOME: 'success', APPLIED: '1', REPORT_PATH: report, BACKUP_UPLOADED: 'success', GITHUB_RUN_ATTEMPT: '2' }],
      ['ddlgate-result-us-1-1', { ...common, TARGET: 'us-1', JOB_STATUS: 'success', APPLY_OUTCOME: 'success', APPLIED: '0', REPORT_PATH: '', BACKUP_UPLOADED: 'success', GITHUB_RUN_ATTEMPT: '1' }],
    ];
    for (const [artifact, env] of results) {
      const r = runStep(record, env);
      expect(r.code).toBe(0);
      const dir = /RESULT_DIR=(.*)/.exec(r.env)![1]!;
      mkdirSync(path.join(work, 'results', artifact), { recursive: true });
      writeFileSync(path.join(work, 'results', artifact, 'result.json'), readFileSync(path.join(dir, 'result.json')));
    }
    const summary = runStep(findStep(deploy, 'summary', 'Aggregated summary'), { PLAN_RESULT: 'success', APPLY_RESULT: 'success', DRY_RUN_ONLY: 'false' }, { cwd: work });
    expect(summary.code).toBe(0);
    expect(summary.summary.split('\n').filter((l) => /^\| (eu|us)-1 /.test(l))).toEqual([
      '| eu-1 | production | success | 0 | success | 202501010000_add_users | `ddlgate-backup-x` |',
      '| us-1 | production | success | 0 | success | 0 | `ddlgate-backup-x` |',
    ]);
    expect(summary.outputs.result).toBe('success');
    expect(summary.outputs.applied).toBe('### eu-1 (production)\n- `202501010000_add_users`\n\n### us-1 (production)\nNo pending migration: nothing applied.');
  });
});

describe('release notes, executed with a stand-in gh that keeps the release text', () => {
  const step = findStep(parsed.get(RELEASE)!, 'release', 'Create the release, or append to it');
  function gh(): string {
    const dir = path.join(scratch(), 'gh-bin');
    mkdirSync(dir, { recursive: true });
    // view prints the stored body (or fails when there is no release); create/edit store --notes-file.
    writeFileSync(
      path.join(dir, 'gh'),
      `#!/bin/bash
store="${dir}/release.md"
if [[ "$1 $2" == "release view" ]]; then [[ -f "$store" ]] || exit 1; cat "$store"; exit 0; fi
while [[ $# -gt 0 ]]; do if [[ "$1" == --notes-file ]]; then cp "$2" "$store"; fi; shift; done
`,
    );
    chmodSync(path.join(dir, 'gh'), 0o755);
    return dir;
  }

  it('creates the release, then appends (never overwrites) and adds a run only once', () => {
    const dir = gh();
    const env = { TAG: 'v1.2.3', NOTES: '### production (production)\n- `001_users`', RUN_URL: 'https://github.com/acme/shop/actions/runs/4242', GH_TOKEN: 't', GH_REPO: 'acme/shop' };
    expect(runStep(step, env, { pathPrefix: dir, cwd: dir }).stdout).toContain('created the release of v1.2.3');
    writeFileSync(path.join(dir, 'release.md'), `Hand-written notes of v1.2.3.\n\n${readFileSync(path.join(dir, 'release.md'), 'utf8')}`);
    const again = runStep(step, env, { pathPrefix: dir, cwd: dir });
    expect(again.stdout).toContain('already lists this run');
    const next = runStep(step, { ...env, GITHUB_RUN_ID: '4243', NOTES: '### production (production)\n- `002_orders`' }, { pathPrefix: dir, cwd: dir });
    expect(next.code).toBe(0);
    const body = readFileSync(path.join(dir, 'release.md'), 'utf8');
    expect(body.startsWith('Hand-written notes of v1.2.3.')).toBe(true);
    expect(body).toContain('`001_users`');
    expect(body).toContain('`002_orders`');
    expect(runStep(step, { ...env, TAG: 'v1.2.3-rc.1' }, { pathPrefix: dir, cwd: dir }).code).toBe(1);
  });
});

describe('the repository\'s own CI', () => {
  const ci = parsed.get(`${WORKFLOWS}/ci.yml`)!;

  it('ci.yml installs PostgreSQL 15 server and client (PGDG) and Prometheus Pushgateway, then runs .ci/run (npm ci && npm test)', () => {
    const steps = stepsOf(obj(obj(ci.jobs).test));
    const runs = steps.map((s) => String(s.run ?? ''));
    const apt = runs.findIndex((r) => /apt\.postgresql\.org\.sh/.test(r) && /apt-get install[^\n]*postgresql-15[^\n]*postgresql-client-15[^\n]*prometheus-pushgateway/.test(r));
    const entry = runs.indexOf('.ci/run');
    expect(apt).toBeGreaterThanOrEqual(0);
    expect(apt).toBeLessThan(entry);
    expect(readText('.ci/run')).toMatch(/\nnpm ci\nnpm test\n?$/);
    expect(obj(steps.find((s) => String(s.uses).startsWith('actions/setup-node@'))!.with)['node-version-file']).toBe('.node-version');
    // The pin check needs the history.
    expect(obj(steps.find((s) => String(s.uses).startsWith('actions/checkout@'))!.with)['fetch-depth']).toBe(0);
  });

  it('check-dist.yml rebuilds with npm run bundle and fails on a difference in dist/', () => {
    const runs = stepsOf(obj(obj(parsed.get(`${WORKFLOWS}/check-dist.yml`)!.jobs)['check-dist'])).map((s) => String(s.run ?? ''));
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run bundle'));
    expect(runs.some((r) => r.includes('git diff --exit-code') && r.includes('dist/'))).toBe(true);
  });
});

describe('calls of the ddlgate action', () => {
  const action = loadYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'), 'action.yml');
  const inputs = obj(action.inputs);
  const outputs = Object.keys(obj(action.outputs));

  it('pass only inputs action.yml declares, and read only outputs it declares', () => {
    for (const file of files) {
      const wf = parsed.get(file)!;
      for (const [id, job] of jobsOf(wf)) {
        const ids = new Set<string>();
        for (const s of stepsOf(job)) {
          if (s.uses !== './' && s.uses !== './.ddlgate/action') continue;
          if (typeof s.id === 'string') ids.add(s.id);
          for (const key of Object.keys(obj(s.with))) expect({ file, job: id, input: key, declared: key in inputs }).toEqual({ file, job: id, input: key, declared: true });
        }
        const text = JSON.stringify(job);
        for (const stepId of ids) {
          for (const m of text.matchAll(new RegExp(`steps\\.${stepId}\\.outputs\\.([\\w-]+)`, 'g'))) expect({ file, output: m[1], declared: outputs.includes(m[1]!) }).toEqual({ file, output: m[1], declared: true });
        }
      }
    }
  });
});
