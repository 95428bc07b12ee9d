/**
 * Reading and evaluating the workflow files as GitHub does, with GitHub's own packages:
 * @actions/workflow-parser (schema, reusable-workflow calls: inputs, secrets) and @actions/expressions
 * (lexer, parser, evaluator of `${{ }}`), plus the trigger filter patterns of the docs' cheat sheet
 * and the shell steps executed with bash, as the runner runs them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseDocument } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WORKFLOWS = '.github/workflows';
export const EXAMPLES = 'docs/examples/workflows';
export const OWN_REPO = 'ddlgate/ddlgate';

export function listYaml(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

export const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
export const jobsOf = (wf: Obj): Array<[string, Obj]> => Object.entries(obj(wf.jobs)).map(([id, job]) => [id, obj(job)]);
export const stepsOf = (job: Obj): Obj[] => (Array.isArray(job.steps) ? job.steps.map((s) => obj(s)) : []);
export const triggersOf = (wf: Obj): Obj => {
  const on = wf.on;
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return obj(on);
};

export function loadYaml(text: string, file: string): Obj {
  // uniqueKeys (the default) makes a duplicated key an error instead of a silent override.
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as Obj;
}

export const readText = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
export const load = (file: string): Obj => loadYaml(readText(file), file);

/** A file of this repository at a commit (what GitHub fetches for `ddlgate/ddlgate/<path>@<sha>`). */
export function gitShow(sha: string, file: string): string {
  return execFileSync('git', ['show', `${sha}:${file}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `owner/repo/path@ref` of a job-level `uses:` naming one of ddlgate's reusable workflows. */
export function ownWorkflowRef(uses: string): { path: string; ref: string } | undefined {
  const m = new RegExp(`^${OWN_REPO}/(\\.github/workflows/[\\w.-]+\\.ya?ml)@(\\S+)$`).exec(uses);
  return m ? { path: m[1]!, ref: m[2]! } : undefined;
}

// ---- GitHub's workflow parser -------------------------------------------------------------------------

/**
 * Parses a workflow with GitHub's parser and converts it, loading called reusable workflows of
 * ddlgate/ddlgate at the commit the caller pins (from this repository's history, as GitHub would fetch
 * them). Returns every error the parser reports: schema, expressions, undeclared or missing inputs and
 * secrets of the called workflows.
 */
export async function parserErrors(file: string, content = readText(file)): Promise<string[]> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return errors.length ? errors : [`${file}: nothing parsed`];
  const provider = {
    async getFileContent(ref: { repository?: string; owner?: string; path: string; version?: string }) {
      if (!ref.repository || `${ref.owner}/${ref.repository}` !== OWN_REPO || !ref.version) throw new Error(`${file}: only ${OWN_REPO} workflows are resolved here (got ${JSON.stringify(ref)})`);
      return { name: ref.path, content: gitShow(ref.version, ref.path) };
    },
  };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, provider, { fetchReusableWorkflowDepth: 1 });
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}

// ---- GitHub's expression language -----------------------------------------------------------------------

const STATUS_FUNCTIONS = [
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];
export const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];

/** Every `${{ … }}` of a string. */
export function expressionsIn(value: string): string[] {
  return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
}

export function parseExpression(expr: string): ReturnType<Parser['parse']> {
  const lexed = new Lexer(expr).lex();
  return new Parser(lexed.tokens, CONTEXTS, STATUS_FUNCTIONS).parse();
}

export interface StatusResult {
  /** Results of the job's needs (success | failure | cancelled | skipped), for success()/failure(). */
  needs?: Record<string, string>;
  /** For steps: the job's status so far. */
  jobStatus?: 'success' | 'failure' | 'cancelled';
  cancelled?: boolean;
  /** hashFiles(): the result to give (files are not on this machine). */
  hashFiles?: string;
}

function statusFunctions(status: StatusResult) {
  const results = Object.values(status.needs ?? {});
  const fns: Array<{ name: string; minArgs: number; maxArgs: number; call: () => data.ExpressionData }> = [
    { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(!status.cancelled && (status.jobStatus ? status.jobStatus === 'success' : results.every((r) => r === 'success' || r === 'skipped'))) },
    { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.jobStatus ? status.jobStatus === 'failure' : results.some((r) => r === 'failure')) },
    { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
    { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(Boolean(status.cancelled)) },
    { name: 'hashfiles', minArgs: 1, maxArgs: 255, call: () => new data.StringData(status.hashFiles ?? '') },
  ];
  return new Map(fns.map((f) => [f.name, f]));
}

/** Evaluates one expression with plain-JSON contexts; returns plain JSON. */
export function evaluate(expr: string, context: Obj, status: StatusResult = {}): Json {
  const ast = parseExpression(expr);
  const dictionary = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  const result = new Evaluator(ast, dictionary, statusFunctions(status)).evaluate();
  return JSON.parse(JSON.stringify(result, data.replacer) ?? 'null') as Json;
}

/** A workflow value: a lone `${{ x }}` keeps its type; text with expressions becomes a string. */
export function evaluateValue(value: Json, context: Obj): Json {
  if (typeof value !== 'string') return value;
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  if (whole) return evaluate(whole[1]!.trim(), context);
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr.trim(), context);
    return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** A job's or step's `if:`; without a status function GitHub prepends `success() &&`. */
export function evaluateIf(condition: Json | undefined, context: Obj, status: StatusResult = {}): boolean {
  if (condition === undefined || condition === null) return Boolean(evaluate('success()', context, status));
  if (typeof condition === 'boolean') return condition;
  const text = String(condition).trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
  const expr = /\b(success|failure|always|cancelled)\s*\(/.test(text) ? text : `success() && (${text})`;
  const v = evaluate(expr, context, status);
  return v !== false && v !== null && v !== 0 && v !== '';
}

// ---- trigger filters ----------------------------------------------------------------------------------

/**
 * GitHub's filter pattern (docs: "Filter pattern cheat sheet"): `*` any characters but `/`, `**` any
 * characters, `?` zero or one of the preceding character, `+` one or more of it, `[]` a character class,
 * `!` at the start negates; every other character is literal. The whole name must match.
 */
export function filterPatternToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?' || c === '+') out += c;
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      out += pattern.slice(i, end + 1);
      i = end;
    } else out += c.replace(/[.^$|(){}\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function matchesFilters(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (filterPatternToRegExp(pattern.slice(1)).test(name)) matched = false;
    } else if (filterPatternToRegExp(pattern).test(name)) matched = true;
  }
  return matched;
}

// ---- shell steps, executed ------------------------------------------------------------------------------

export interface StepRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  env: string;
  path: string;
}

const scratchRoot = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-workflows-'));
let runCount = 0;
export const scratch = (): string => scratchRoot;

/** Parses GITHUB_OUTPUT: name=value lines and name<<DELIMITER blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([\w-]+)<<(\S+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

interface PreparedStep {
  dir: string;
  script: string;
  files: Record<'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY' | 'GITHUB_ENV' | 'GITHUB_PATH', string>;
  env: Record<string, string>;
  cwd: string;
}

function prepareStep(step: Obj, env: Record<string, string>, options: { cwd?: string; pathPrefix?: string }): PreparedStep {
  const dir = path.join(scratchRoot, `run-${++runCount}`);
  mkdirSync(dir);
  const files = { GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), GITHUB_ENV: path.join(dir, 'env'), GITHUB_PATH: path.join(dir, 'path') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const script = path.join(dir, 'step.sh');
  writeFileSync(script, String(step.run));
  const PATH = `${options.pathPrefix ? `${options.pathPrefix}:` : ''}${process.env.PATH ?? '/usr/bin:/bin'}`;
  return { dir, script, files, cwd: options.cwd ?? scratchRoot, env: { PATH, HOME: dir, RUNNER_TEMP: dir, GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '1', GITHUB_REPOSITORY: 'acme/shop', ...files, ...env } };
}

function stepResult(prepared: PreparedStep, code: number, output: string): StepRun {
  const { files } = prepared;
  return {
    code,
    stdout: output,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    env: readFileSync(files.GITHUB_ENV, 'utf8'),
    path: readFileSync(files.GITHUB_PATH, 'utf8'),
  };
}

/** Runs a `run:` step with bash -e as the runner does, with the runner's files for outputs and summary. */
export function runStep(step: Obj, env: Record<string, string>, options: { cwd?: string; pathPrefix?: string } = {}): StepRun {
  const prepared = prepareStep(step, env, options);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-e', prepared.script], { cwd: prepared.cwd, encoding: 'utf8', env: prepared.env });
  return stepResult(prepared, r.status ?? -1, r.stdout + r.stderr);
}

/** runStep without blocking the event loop: for steps that talk to a server running in this process. */
export function runStepAsync(step: Obj, env: Record<string, string>, options: { cwd?: string; pathPrefix?: string } = {}): Promise<StepRun> {
  const prepared = prepareStep(step, env, options);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', prepared.script], { cwd: prepared.cwd, env: prepared.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve(stepResult(prepared, code ?? -1, output)));
  });
}

/** A step's `env:` evaluated in a context (values become strings, as the runner passes them). */
export function stepEnv(step: Obj, context: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj(step.env))) {
    const v = evaluateValue(value, context);
    env[key] = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return env;
}

export function findStep(wf: Obj, jobId: string, name: string): Obj {
  const found = stepsOf(obj(obj(wf.jobs)[jobId])).find((s) => s.name === name);
  if (!found) throw new Error(`job ${jobId} has no step "${name}"`);
  return found;
}
