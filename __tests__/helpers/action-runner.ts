/**
 * Runs the action as the runner does: `node dist/index.js` (the committed bundle) in a child process,
 * inputs as INPUT_* variables (defaults from action.yml, as the runner fills them), GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files and a real-shaped event payload; GITHUB_API_URL points at a FakeGitHub.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FakeGitHub, type FakeGitHubOptions } from './fake-github.js';
import { REPO_ROOT, removeDir, tempDir } from './pg.js';

export const BUNDLE = path.join(REPO_ROOT, 'dist', 'index.js');
export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const PR = 7;

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The JSON report (read before RUNNER_TEMP is removed). */
  report?: any;
  /** The SARIF report of output sarif-path, parsed. */
  sarif?: any;
}

/** Inputs' defaults exactly as action.yml declares them (the runner passes them when a workflow omits an input). */
export function actionDefaults(): Record<string, string> {
  const spec = parseYaml(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.default === undefined) continue;
    defaults[name] = input.default === '${{ github.token }}' ? 'ghs_faketoken123' : String(input.default);
  }
  return defaults;
}

export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

export function pullRequestEvent(options: { fork?: boolean } = {}) {
  const base = { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme', type: 'Organization' }, fork: false, private: false };
  const head = options.fork ? { full_name: 'mallory/shop', name: 'shop', owner: { login: 'mallory', type: 'User' }, fork: true, private: false } : base;
  return {
    action: 'synchronize',
    number: PR,
    pull_request: {
      number: PR,
      state: 'open',
      title: 'Index users by email',
      user: { login: options.fork ? 'mallory' : 'alice', type: 'User' },
      head: { ref: 'index-users', sha: HEAD_SHA, repo: head, user: head.owner },
      base: { ref: 'main', sha: '0123456789abcdef0123456789abcdef01234567', repo: base, user: base.owner },
    },
    repository: base,
    sender: { login: 'alice', type: 'User' },
  };
}

export function runAction(workspace: string, fake: FakeGitHub, inputs: Record<string, string>, options: { event?: object; eventName?: string; env?: Record<string, string> } = {}): Promise<ActionRun> {
  const files = tempDir();
  const outputFile = path.join(files, 'output');
  const summaryFile = path.join(files, 'summary');
  const eventFile = path.join(files, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event ?? pullRequestEvent()));
  const env: Record<string, string> = {};
  // Nothing of the environment jest runs in (maybe a real runner) may leak into the action.
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(key) || ['DATABASE_URL', 'POSTGRES_URL', 'ALLOW_BREAKING_MIGRATIONS', 'DDLGATE_ENV'].includes(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTOR: 'alice',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: files,
    ...options.env,
  });
  // The runner's mapping: INPUT_ + the name upper-cased, spaces → "_", hyphens kept.
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
      const reportPath = outputs['report-path'];
      const report = reportPath && existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined;
      const sarifPath = outputs['sarif-path'];
      const sarif = sarifPath && existsSync(sarifPath) ? JSON.parse(readFileSync(sarifPath, 'utf8')) : undefined;
      const result = { code, stdout, stderr, outputs, summary: readFileSync(summaryFile, 'utf8'), report, sarif };
      removeDir(files);
      resolve(result);
    });
  });
}


/** A push to main of acme/shop: the event of a deploy run (no pull request, so no comment). */
export const PUSH_EVENT = { ref: 'refs/heads/main', repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } } };

export interface ActionOnPush {
  /** The GitHub API stand-in of the calling test file, started before its tests. */
  fake: FakeGitHub;
  /** Runs the committed bundle on a push event with `migrations-dir: migrations` and no comment. */
  action(cwd: string, inputs: Record<string, string>): Promise<ActionRun>;
}

/**
 * For the calling test file: a FakeGitHub that is started (after checking the bundle exists) before the
 * file's tests and stopped after them. Hooks the file registers later run after the start, so they may
 * seed its pull request files and comments.
 */
export function useFakeGitHub(options?: FakeGitHubOptions): FakeGitHub {
  const fake = new FakeGitHub(options);
  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error('dist/index.js is missing: run npm run bundle first');
    await fake.start();
  });
  afterAll(async () => fake.stop());
  return fake;
}

/** useFakeGitHub, and `action` runs the bundle as a deploy job does, on a push event. */
export function useActionOnPush(): ActionOnPush {
  const fake = useFakeGitHub();
  return { fake, action: (cwd, inputs) => runAction(cwd, fake, { 'migrations-dir': 'migrations', comment: 'false', ...inputs }, { event: PUSH_EVENT, eventName: 'push' }) };
}
