/**
 * The security and deployment rules of every workflow this repository ships (.github/workflows and
 * the caller examples in docs/examples/workflows), read from the parsed YAML — and the shell steps
 * that carry the rules (preflight, database URL selection, rollback instructions, aggregated
 * summary) executed for real with bash and jq, the way the runner runs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const root = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = '.github/workflows';
const EXAMPLES = 'docs/examples/workflows';
const OWN_REPO = 'ddlgate-dev/ddlgate';
const PHRASE = 'MIGRATE-PRODUCTION';

function listYaml(dir: string): string[] {
  return readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

const files = [...listYaml(WORKFLOWS), ...listYaml(EXAMPLES)];
const texts = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));

function load(file: string): Obj {
  // uniqueKeys (the default) makes a duplicated key an error instead of a silent override.
  const doc = parseDocument(texts.get(file)!, { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as Obj;
}
const parsed = new Map(files.map((f) => [f, load(f)]));

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
const jobsOf = (wf: Obj): Array<[string, Obj]> => Object.entries(obj(wf.jobs)).map(([id, job]) => [id, obj(job)]);
const stepsOf = (job: Obj): Obj[] => (Array.isArray(job.steps) ? job.steps.map((s) => obj(s)) : []);
/** The `on:` block: YAML 1.2 keeps `on` a string key, but be safe with 1.1-style `true`. */
const triggersOf = (wf: Obj): Obj => {
  const on = wf.on ?? (wf as Record<string, Json>)['true'];
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return obj(on);
};
const workflowCall = (file: string): Obj => obj(triggersOf(parsed.get(file)!).workflow_call);

/** Every `uses:` of a file: job level (reusable workflow calls) and step level. */
function usesOf(wf: Obj): string[] {
  const out: string[] = [];
  for (const [, job] of jobsOf(wf)) {
    if (typeof job.uses === 'string') out.push(job.uses);
    for (const step of stepsOf(job)) if (typeof step.uses === 'string') out.push(step.uses);
  }
  return out;
}

function step(file: string, jobId: string, name: string): Obj {
  const found = stepsOf(obj(obj(parsed.get(file)!.jobs)[jobId])).find((s) => s.name === name);
  if (!found) throw new Error(`${file}: job ${jobId} has no step "${name}"`);
  return found;
}

describe('the workflow files', () => {
  it('are all present and parse as YAML without duplicate keys', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        `${WORKFLOWS}/ci.yml`,
        `${WORKFLOWS}/check-dist.yml`,
        `${WORKFLOWS}/migrations-check.yml`,
        `${WORKFLOWS}/migrations-deploy.yml`,
        `${EXAMPLES}/pr-migrations.yml`,
        `${EXAMPLES}/deploy-staging.yml`,
        `${EXAMPLES}/deploy-production.yml`,
      ]),
    );
    for (const file of files) expect(jobsOf(parsed.get(file)!).length).toBeGreaterThan(0);
  });
});

/** The file without its comments (whole-line and trailing ` # …`), for checks on the raw text. */
const withoutComments = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .map((line) => line.replace(/\s+#\s.*$/, ''))
    .join('\n');

describe.each(files)('security rules: %s', (file) => {
  const wf = parsed.get(file)!;
  const text = texts.get(file)!;
  const code = withoutComments(text);

  it('has no ${{ }} expression inside any run: script (values pass through env:)', () => {
    for (const [id, job] of jobsOf(wf)) {
      for (const s of stepsOf(job)) {
        if (typeof s.run === 'string') expect({ job: id, step: s.name, expression: s.run.includes('${{') }).toEqual({ job: id, step: s.name, expression: false });
      }
    }
  });

  it('declares explicit minimal permissions at workflow and job level', () => {
    const allowed: Record<string, string[]> = { contents: ['read', 'write'], 'pull-requests': ['write'] };
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

  it('pins every third-party action to a full commit SHA, with the version in a comment', () => {
    for (const uses of usesOf(wf)) {
      if (uses.startsWith('./')) continue; // this repository's own action or a local reusable workflow
      if (uses.startsWith(`${OWN_REPO}/`) || uses.startsWith(`${OWN_REPO}@`)) {
        // ddlgate's own action and reusable workflows, released together: a release tag or a SHA.
        expect(uses).toMatch(/@(v\d+(\.\d+\.\d+)?|[0-9a-f]{40})$/);
        continue;
      }
      expect(uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      const line = text.split('\n').find((l) => l.includes(uses))!;
      expect(line).toMatch(/#\s*v\d+\.\d+\.\d+/);
    }
  });

  it('passes secrets one by one, never `secrets: inherit`', () => {
    expect(code).not.toMatch(/secrets:\s*inherit/);
    for (const [id, job] of jobsOf(wf)) if (job.secrets !== undefined) expect({ job: id, mapping: isObj(job.secrets) }).toEqual({ job: id, mapping: true });
  });

  it('checks out without persisting the token in .git/config', () => {
    for (const [, job] of jobsOf(wf)) {
      for (const s of stepsOf(job)) {
        if (typeof s.uses === 'string' && s.uses.startsWith('actions/checkout@')) expect(obj(s.with)['persist-credentials']).toBe(false);
      }
    }
  });
});

describe('migrations-check.yml', () => {
  const file = `${WORKFLOWS}/migrations-check.yml`;
  const wf = parsed.get(file)!;

  it('is a reusable workflow with the documented inputs and only contents: read + pull-requests: write', () => {
    expect(Object.keys(triggersOf(wf))).toEqual(['workflow_call']);
    expect(Object.keys(obj(workflowCall(file).inputs)).sort()).toEqual(['config', 'fail-on', 'migrations-dir', 'postgres-version']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const [, job] of jobsOf(wf)) expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('dry-runs against a postgres service container of the chosen major, through the published action', () => {
    const job = obj(obj(wf.jobs).check);
    expect(obj(obj(job.services).postgres).image).toBe('postgres:${{ inputs.postgres-version }}');
    const action = stepsOf(job).find((s) => s.uses === `${OWN_REPO}@v1`)!;
    expect(obj(action.with)).toMatchObject({ command: 'dry-run', 'migrations-dir': '${{ inputs.migrations-dir }}', 'fail-on': '${{ inputs.fail-on }}', comment: 'true' });
    expect(String(obj(action.with)['database-url'])).toMatch(/@localhost:5432\//);
  });
});

describe('migrations-deploy.yml', () => {
  const file = `${WORKFLOWS}/migrations-deploy.yml`;
  const wf = parsed.get(file)!;
  const jobs = obj(wf.jobs);
  const call = workflowCall(file);

  it('declares its inputs and its secrets explicitly', () => {
    const inputs = obj(call.inputs);
    for (const name of ['environment', 'migrations-dir', 'dry-run-only', 'confirm', 'review-window-seconds', 'smoke-test-command', 'create-release', 'targets', 'max-parallel']) {
      expect(inputs).toHaveProperty(name);
    }
    expect(obj(inputs['dry-run-only'])).toMatchObject({ type: 'boolean', default: true });
    expect(Object.keys(obj(call.secrets)).sort()).toEqual(['backup-passphrase', 'database-url', 'database-urls']);
  });

  it('has preflight → deploy → summary/release, the preflight with no environment, no secrets and no token scope', () => {
    expect(Object.keys(jobs)).toEqual(['preflight', 'deploy', 'summary', 'release']);
    const preflight = obj(jobs.preflight);
    expect(preflight.environment).toBeUndefined();
    expect(preflight.permissions).toEqual({});
    expect(JSON.stringify(preflight)).not.toMatch(/secrets\./);
    expect(obj(jobs.deploy).needs).toBe('preflight');
    const script = String(step(file, 'preflight', 'Check inputs, confirmation phrase and tag; build the target matrix').run);
    expect(script).toContain(PHRASE);
    expect(script).toMatch(/v\(0\|\[1-9\]\[0-9\]\*\)/); // the vX.Y.Z pattern
  });

  it('deploys in the environment, one at a time per environment, never cancelling a deploy in progress', () => {
    const deploy = obj(jobs.deploy);
    expect(deploy.environment).toBe('${{ matrix.target.environment }}');
    const concurrency = obj(deploy.concurrency);
    expect(String(concurrency.group)).toMatch(/^ddlgate-deploy-\$\{\{ matrix\.target\.environment \}\}/);
    expect(concurrency['cancel-in-progress']).toBe(false);
    expect(deploy.permissions).toEqual({ contents: 'read' });
  });

  it('fans out over a fromJSON matrix, fail-fast off, max-parallel from the input', () => {
    const strategy = obj(obj(jobs.deploy).strategy);
    expect(strategy['fail-fast']).toBe(false);
    expect(strategy['max-parallel']).toBe('${{ inputs.max-parallel }}');
    expect(obj(strategy.matrix).target).toBe('${{ fromJSON(needs.preflight.outputs.targets) }}');
  });

  it('runs the deploy steps in order: URL, health check, dry-run, apply, backup, verify, smoke test, rollback notes', () => {
    const names = stepsOf(obj(jobs.deploy)).map((s) => String(s.name));
    const order = ['Select the database URL', 'Health check (connect, select 1)', 'Dry-run (mandatory)', 'Apply', 'Upload the backup', 'Verify status', 'Smoke test', 'Rollback instructions'];
    const positions = order.map((n) => names.indexOf(n));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const dry = step(file, 'deploy', 'Dry-run (mandatory)');
    expect(dry.if).toBeUndefined(); // never skipped
    expect(obj(dry.with).command).toBe('dry-run');
    const apply = step(file, 'deploy', 'Apply');
    expect(apply.if).toBe('${{ !inputs.dry-run-only }}');
    expect(obj(apply.with)).toMatchObject({ command: 'apply', confirm: '${{ inputs.confirm }}', environment: '${{ matrix.target.environment }}' });
    expect(step(file, 'deploy', 'Rollback instructions').if).toBe('${{ failure() }}');
    // The secret reaches the steps only through env: / with:, from the masked selection step.
    expect(obj(step(file, 'deploy', 'Select the database URL').env)).toMatchObject({ SINGLE_URL: '${{ secrets.database-url }}', URL_MAP: '${{ secrets.database-urls }}' });
  });

  it('creates the release only for tags, with contents: write on that job alone', () => {
    const release = obj(jobs.release);
    expect(String(release.if)).toContain("github.ref_type == 'tag'");
    expect(release.permissions).toEqual({ contents: 'write' });
    for (const id of ['preflight', 'deploy', 'summary']) expect(JSON.stringify(obj(jobs[id]).permissions)).not.toContain('write');
  });
});

describe('caller examples', () => {
  it('pass only inputs and secrets the called workflow declares, and every required input', () => {
    for (const file of listYaml(EXAMPLES)) {
      for (const [id, job] of jobsOf(parsed.get(file)!)) {
        if (typeof job.uses !== 'string') continue;
        const m = new RegExp(`^${OWN_REPO}/(\\.github/workflows/[\\w.-]+\\.yml)@`).exec(job.uses);
        expect({ file, id, uses: job.uses, ownWorkflow: !!m }).toEqual({ file, id, uses: job.uses, ownWorkflow: true });
        const call = workflowCall(m![1]!);
        const declared = obj(call.inputs);
        const given = obj(job.with);
        for (const key of Object.keys(given)) expect({ file, input: key, declared: key in declared }).toEqual({ file, input: key, declared: true });
        for (const [key, spec] of Object.entries(declared)) {
          if (obj(spec).required === true) expect({ file, input: key, given: key in given }).toEqual({ file, input: key, given: true });
        }
        for (const key of Object.keys(obj(job.secrets))) expect({ file, secret: key, declared: key in obj(call.secrets) }).toEqual({ file, secret: key, declared: true });
      }
    }
  });

  it('pr-migrations runs on pull_request, filtered on the migrations path', () => {
    const on = triggersOf(parsed.get(`${EXAMPLES}/pr-migrations.yml`)!);
    expect(Object.keys(on)).toEqual(['pull_request']);
    expect(obj(on.pull_request).paths).toContain('migrations/**');
  });

  it('deploy-staging runs on pushes to the staging branch and applies to staging', () => {
    const wf = parsed.get(`${EXAMPLES}/deploy-staging.yml`)!;
    expect(obj(triggersOf(wf).push).branches).toEqual(['staging']);
    expect(obj(obj(obj(wf.jobs).migrate).with)).toMatchObject({ environment: 'staging', 'dry-run-only': false });
  });

  it('deploy-production runs on v*.*.* tags and by hand with environment, dry_run (default true) and confirm', () => {
    const wf = parsed.get(`${EXAMPLES}/deploy-production.yml`)!;
    const on = triggersOf(wf);
    expect(obj(on.push).tags).toEqual(['v*.*.*']);
    const inputs = obj(obj(on.workflow_dispatch).inputs);
    expect(obj(inputs.environment)).toMatchObject({ type: 'choice', options: ['production', 'staging'] });
    expect(obj(inputs.dry_run)).toMatchObject({ type: 'boolean', default: true });
    expect(obj(inputs.confirm)).toMatchObject({ type: 'string' });
    const w = obj(obj(obj(wf.jobs).migrate).with);
    expect(w.confirm).toBe(`\${{ github.event_name == 'push' && '${PHRASE}' || inputs.confirm }}`);
    expect(w['dry-run-only']).toBe("${{ github.event_name == 'workflow_dispatch' && inputs.dry_run }}");
  });
});

describe('calls of the ddlgate action', () => {
  const action = parseDocument(readFileSync(path.join(root, 'action.yml'), 'utf8')).toJS() as Obj;
  const inputs = obj(action.inputs);
  const outputs = Object.keys(obj(action.outputs));

  it.each(listYaml(WORKFLOWS))('%s passes only inputs action.yml declares, and reads only its outputs', (file) => {
    for (const [id, job] of jobsOf(parsed.get(file)!)) {
      const actionSteps = stepsOf(job).filter((s) => s.uses === './' || (typeof s.uses === 'string' && s.uses.startsWith(`${OWN_REPO}@`)));
      for (const s of actionSteps) {
        const given = obj(s.with);
        for (const key of Object.keys(given)) expect({ job: id, step: s.name, input: key, declared: key in inputs }).toEqual({ job: id, step: s.name, input: key, declared: true });
        for (const [key, spec] of Object.entries(inputs)) {
          if (obj(spec).required === true) expect({ job: id, step: s.name, input: key, given: key in given }).toEqual({ job: id, step: s.name, input: key, given: true });
        }
      }
      const ids = new Set(actionSteps.map((s) => s.id).filter((v): v is string => typeof v === 'string'));
      for (const m of JSON.stringify(job).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ids.has(m[1]!)) expect({ job: id, output: m[2], declared: outputs.includes(m[2]!) }).toEqual({ job: id, output: m[2], declared: true });
      }
    }
  });
});

describe('the repository CI', () => {
  it('ci.yml installs postgresql-15 and prometheus-pushgateway, then runs npm ci and npm test on the .node-version Node', () => {
    const steps = stepsOf(obj(obj(parsed.get(`${WORKFLOWS}/ci.yml`)!.jobs).test));
    const runs = steps.map((s) => String(s.run ?? ''));
    const apt = runs.findIndex((r) => /apt-get install[^\n]*postgresql-15[^\n]*prometheus-pushgateway/.test(r));
    const ci = runs.indexOf('npm ci');
    const test = runs.indexOf('npm test');
    expect(apt).toBeGreaterThanOrEqual(0);
    expect(apt).toBeLessThan(ci);
    expect(ci).toBeLessThan(test);
    expect(obj(steps.find((s) => String(s.uses).startsWith('actions/setup-node@'))!.with)['node-version-file']).toBe('.node-version');
  });

  it('check-dist.yml rebuilds with npm run bundle and fails on a difference in dist/', () => {
    const runs = stepsOf(obj(obj(parsed.get(`${WORKFLOWS}/check-dist.yml`)!.jobs)['check-dist'])).map((s) => String(s.run ?? ''));
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run bundle'));
    expect(runs.some((r) => r.includes('git diff --exit-code') && r.includes('dist/'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// The shell steps, executed: bash + jq as on the runner, with the runner's files for outputs/summary.

interface StepRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  env: string;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-workflows-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let runCount = 0;

function runStep(s: Obj, env: Record<string, string>, cwd = scratch): StepRun {
  const dir = path.join(scratch, `run-${++runCount}`);
  mkdirSync(dir);
  const files = { GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), GITHUB_ENV: path.join(dir, 'env') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const script = path.join(dir, 'step.sh');
  writeFileSync(script, String(s.run));
  // The runner's default for `run:` on Linux: bash -e.
  const r = spawnSync('bash', ['--noprofile', '--norc', '-e', script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RUNNER_TEMP: dir, GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '1', GITHUB_REPOSITORY: 'acme/shop', ...files, ...env },
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(files.GITHUB_OUTPUT, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { code: r.status ?? -1, stdout: r.stdout + r.stderr, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), env: readFileSync(files.GITHUB_ENV, 'utf8') };
}

const DEPLOY = `${WORKFLOWS}/migrations-deploy.yml`;

describe('preflight, executed', () => {
  const preflight = step(DEPLOY, 'preflight', 'Check inputs, confirmation phrase and tag; build the target matrix');
  const base = { ENVIRONMENT: 'staging', DRY_RUN_ONLY: 'true', CONFIRM: '', REVIEW_WINDOW: '', TARGETS: '', MAX_PARALLEL: '4', CREATE_RELEASE: 'false', REF_TYPE: 'branch', REF_NAME: 'main' };
  const run = (env: Partial<typeof base>) => runStep(preflight, { ...base, ...env });
  const targets = (r: StepRun) => JSON.parse(r.outputs.targets ?? 'null') as Array<Record<string, unknown>>;

  it('passes a staging apply without a phrase: one target, no review window, group ddlgate-deploy-staging', () => {
    const r = run({ DRY_RUN_ONLY: 'false' });
    expect(r.code).toBe(0);
    expect(targets(r)).toEqual([{ name: 'staging', environment: 'staging', 'secret-name': '', 'review-window': 0, 'group-suffix': '' }]);
    expect(r.summary).toContain('| staging | staging | apply | 0 s |');
  });

  it('refuses a production apply unless confirm is exactly MIGRATE-PRODUCTION', () => {
    for (const confirm of ['', 'migrate-production', ` ${PHRASE}`, `${PHRASE} `, 'yes']) {
      const r = run({ ENVIRONMENT: 'production', DRY_RUN_ONLY: 'false', CONFIRM: confirm });
      expect({ confirm, code: r.code }).toEqual({ confirm, code: 1 });
      expect(r.stdout).toContain(`needs confirm: ${PHRASE} exactly`);
      expect(r.outputs.targets).toBeUndefined();
    }
    const ok = run({ ENVIRONMENT: 'production', DRY_RUN_ONLY: 'false', CONFIRM: PHRASE });
    expect(ok.code).toBe(0);
    expect(targets(ok)[0]).toMatchObject({ environment: 'production', 'review-window': 30 });
  });

  it('lets a production dry-run through without the phrase, and honours an explicit review window', () => {
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
      expect(r.stdout).toContain('is not a semver release tag vX.Y.Z');
    }
    // A branch named like anything is not a tag: no tag rule.
    expect(run({ REF_TYPE: 'branch', REF_NAME: 'v1.2' }).code).toBe(0);
  });

  it('rejects an unknown environment without echoing a line break (no workflow-command injection)', () => {
    const r = run({ ENVIRONMENT: 'prod\n::add-mask::x\n::set-env name=A::b' });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::') && !l.startsWith('::error title=ddlgate preflight::'))).toEqual([]);
  });

  it('builds one matrix entry per target, each with its own concurrency key; the phrase is needed when any is production', () => {
    const list = JSON.stringify([
      { name: 'eu-1', 'secret-name': 'EU_1' },
      { name: 'us-1', environment: 'production', 'secret-name': 'US_1' },
    ]);
    expect(run({ TARGETS: list, DRY_RUN_ONLY: 'false' }).code).toBe(1);
    const r = run({ TARGETS: list, DRY_RUN_ONLY: 'false', CONFIRM: PHRASE });
    expect(r.code).toBe(0);
    expect(targets(r)).toEqual([
      { name: 'eu-1', environment: 'staging', 'secret-name': 'EU_1', 'review-window': 0, 'group-suffix': '-eu-1' },
      { name: 'us-1', environment: 'production', 'secret-name': 'US_1', 'review-window': 30, 'group-suffix': '-us-1' },
    ]);
  });

  it('rejects malformed targets with one readable line', () => {
    const cases: Array<[string, string]> = [
      ['not json', 'input targets:'],
      ['[]', 'must be a non-empty JSON list'],
      ['{"name":"a"}', 'must be a non-empty JSON list'],
      ['["a"]', 'every entry must be an object'],
      ['[{"name":"a b","secret-name":"A"}]', 'has no valid name'],
      ['[{"name":"a"}]', 'secret-name must name a key'],
      ['[{"name":"a","secret-name":"A","environment":"qa"}]', 'environment "qa" must be staging or production'],
      ['[{"name":"a","secret-name":"A"},{"name":"a","secret-name":"B"}]', 'names must be unique (repeated: a)'],
    ];
    for (const [list, message] of cases) {
      const r = run({ TARGETS: list });
      expect({ list, code: r.code, ok: r.stdout.includes(message) }).toEqual({ list, code: 1, ok: true });
    }
  });
});

describe('database URL selection, executed', () => {
  const select = step(DEPLOY, 'deploy', 'Select the database URL');
  const url = 'postgres://app:s3cr%40t@db.internal:5432/shop';

  it('takes the single secret, masks the URL and the password', () => {
    const r = runStep(select, { SECRET_NAME: '', SINGLE_URL: url, URL_MAP: '' });
    expect(r.code).toBe(0);
    expect(r.outputs.url).toBe(url);
    expect(r.stdout).toContain(`::add-mask::${url}`);
    expect(r.stdout).toContain('::add-mask::s3cr%40t');
  });

  it('picks the target URL from the JSON map by secret name', () => {
    const r = runStep(select, { SECRET_NAME: 'US_1', SINGLE_URL: '', URL_MAP: JSON.stringify({ EU_1: 'postgres://eu/x', US_1: url }) });
    expect(r.code).toBe(0);
    expect(r.outputs.url).toBe(url);
  });

  it('fails without printing any part of the secrets when the map is wrong', () => {
    for (const map of ['{"EU_1": "postgres://u:hunter2@eu/x"}', '{"US_1": ["postgres://u:hunter2@us/x"]}', 'postgres://u:hunter2@raw', '']) {
      const r = runStep(select, { SECRET_NAME: 'US_1', SINGLE_URL: '', URL_MAP: map });
      expect({ map, code: r.code }).toEqual({ map, code: 1 });
      expect(r.stdout).not.toContain('hunter2');
      expect(r.outputs.url).toBeUndefined();
    }
    expect(runStep(select, { SECRET_NAME: '', SINGLE_URL: '', URL_MAP: '' }).code).toBe(1);
  });
});

describe('rollback instructions, executed', () => {
  const rollback = step(DEPLOY, 'deploy', 'Rollback instructions');
  const base = {
    TARGET: 'production',
    TARGET_ENVIRONMENT: 'production',
    MIGRATIONS_DIR: 'db/migrations',
    BACKUP_ARTIFACT: 'ddlgate-backup-production-4242-1',
    RUN_URL: 'https://github.com/acme/shop/actions/runs/4242',
    GITHUB_RUN_ID: '4242',
  };

  it('after a failed apply: the exact rollback invocation and the backup artifact name', () => {
    const r = runStep(rollback, { ...base, APPLY_OUTCOME: 'failure', APPLIED: '2', BACKUP_UPLOADED: 'success', ENCRYPTED: 'true' });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('command: rollback');
    expect(r.summary).toContain('steps: "2"');
    expect(r.summary).toContain(`confirm: ${PHRASE}`);
    expect(r.summary).toContain('database-url: ${{ secrets.THE_SAME_SECRET }}');
    expect(r.summary).toContain("npx ddlgate down --dir 'db/migrations' --steps 2");
    expect(r.summary).toContain('**`ddlgate-backup-production-4242-1`**');
    expect(r.summary).toContain('gh run download 4242 --repo acme/shop --name ddlgate-backup-production-4242-1');
    expect(r.summary).toContain('gpg --decrypt');
    expect(r.summary).toContain('npx ddlgate restore --restore backup/production.dump');
  });

  it('when the run stopped before the apply: says nothing was applied', () => {
    const r = runStep(rollback, { ...base, APPLY_OUTCOME: 'skipped', APPLIED: '', BACKUP_UPLOADED: '', ENCRYPTED: '' });
    expect(r.summary).toContain('Nothing was applied');
    expect(r.summary).not.toContain('command: rollback');
  });
});

describe('result record and aggregated summary, executed', () => {
  it('records each target and aggregates the latest attempt of every database into one table', () => {
    const record = step(DEPLOY, 'deploy', 'Record the result');
    const work = path.join(scratch, 'aggregate');
    mkdirSync(work);
    const report = path.join(work, 'report.json');
    writeFileSync(report, JSON.stringify({ applied: [{ version: '202501010000', name: 'add_users' }] }));
    const common = { TARGET_ENVIRONMENT: 'production', DRY_RUN_ONLY: 'false', DRY_RUN_OUTCOME: 'success', PENDING: '1', BACKUP_ARTIFACT: 'ddlgate-backup-x' };
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
    const summary = runStep(step(DEPLOY, 'summary', 'Aggregated summary'), { DEPLOY_RESULT: 'success' }, work);
    expect(summary.code).toBe(0);
    const rows = summary.summary.split('\n').filter((l) => /^\| (eu|us)-1 /.test(l));
    expect(rows).toEqual([
      '| eu-1 | production | success | success | 1 | success | 202501010000_add_users | `ddlgate-backup-x` |',
      '| us-1 | production | success | success | 1 | success | 0 | `ddlgate-backup-x` |',
    ]);
  });
});
