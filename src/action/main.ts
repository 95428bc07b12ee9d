/**
 * The action's run(): inputs → production gate (before any connection) → the command → outputs,
 * annotations, JSON report, job summary (on every run, success or failure) and the sticky PR comment.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config.js';
import { InputError } from '../errors.js';
import { layoutLine, readMigrationSet } from '../migrations/discover.js';
import { renderComment, verdictOf, commentMarker, countFindings } from '../report/comment-markdown.js';
import { renderFailureSummary, renderSummary } from '../report/summary-markdown.js';
import { scrubSecrets } from '../secrets.js';
import { loadParser } from '../sql/parser.js';
import { annotate } from './annotations.js';
import { changedFiles, upsertStickyComment, type Octokit } from './comment.js';
import { blobBase, readRunContext, type RunContext } from './context.js';
import { checkProductionGate } from './gate.js';
import { rawLabels, readInputs, type ActionInputs } from './inputs.js';
import { runPreflight } from './preflight-step.js';
import { failureMessage, runApply, runBackupCommand, runDryRunCommand, runLint, runRollback, runSeedCommand, runStatus, type Outcome, type StepEnv } from './steps.js';

export interface RunOptions {
  /** The review window's wait (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

const log = (message: string) => core.info(scrubSecrets(message));

export async function run(options: RunOptions = {}): Promise<void> {
  const outputs: Record<string, string | number> = { errors: 0, warnings: 0, pending: '', applied: '', 'report-path': '', 'comment-url': '' };
  let { command, dir } = rawLabels();
  try {
    const inputs = readInputs();
    command = inputs.command;
    const runContext = readRunContext();
    // Before the config, the parser or any database connection: a refused run touches nothing.
    checkProductionGate(inputs, runContext);
    const configPath = inputs.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
    const config = loadConfig(inputs.config);
    dir = inputs.migrationsDir ?? config.migrationsDir ?? 'migrations';
    const schema = config.schema ?? 'ddlgate';
    if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new InputError(`${configPath ?? 'config'}: "schema": "${schema}" is not a plain identifier`);
    await loadParser();

    const octokit = inputs.githubToken && runContext.owner ? getOctokit(inputs.githubToken) : undefined;
    const env: StepEnv = {
      inputs,
      run: runContext,
      dir,
      schema,
      config,
      ...(configPath ? { configPath } : {}),
      log,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    const changed = await changedScope(inputs, runContext, octokit);
    if (changed) env.changed = changed;
    // Read once for the whole run: lint, dry-run, apply and status all see these migrations.
    if (inputs.command !== 'seed' && inputs.command !== 'backup' && inputs.command !== 'preflight') {
      env.set = readMigrationSet(dir);
      log(layoutLine(env.set));
      for (const notice of env.set.notices) core.notice(scrubSecrets(notice));
    }

    const outcome = env.inputs.command === 'preflight' ? await runPreflight(env, octokit) : await dispatch(env);
    if (env.set) outcome.json = { layout: env.set.layout, ...outcome.json };
    const base = blobBase(runContext);
    if (base) outcome.model.blobBase = base;
    if (runContext.runUrl) outcome.model.runUrl = runContext.runUrl;

    const counts = countFindings(outcome.model.files);
    outputs.errors = counts.errors;
    outputs.warnings = counts.warnings;
    if (outcome.pending !== undefined) outputs.pending = outcome.pending;
    if (outcome.applied !== undefined) outputs.applied = outcome.applied;
    outputs['report-path'] = writeJsonReport(inputs, dir, outcome);

    annotate(outcome.model.files);
    await writeSummary(renderSummary(outcome.model, outcome.failure ? { failure: outcome.failure } : {}));
    const url = await publishComment(inputs, runContext, octokit, dir, renderComment(outcome.model));
    if (url) outputs['comment-url'] = url;

    log(`ddlgate ${command} (${dir}): ${verdictOf(outcome.model)} — ${counts.errors} error(s), ${counts.warnings} warning(s)`);
    if (outcome.failure) core.setFailed(scrubSecrets(outcome.failure));
  } catch (error) {
    const message = scrubSecrets(failureMessage(error));
    core.setFailed(message);
    await writeSummary(renderFailureSummary(command, dir, message));
    if (process.env.DDLGATE_DEBUG === '1' && error instanceof Error && error.stack) core.debug(scrubSecrets(error.stack));
  } finally {
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  }
}

async function dispatch(env: StepEnv): Promise<Outcome> {
  switch (env.inputs.command) {
    case 'lint':
      return runLint(env);
    case 'dry-run':
      return runDryRunCommand(env);
    case 'apply':
      return runApply(env);
    case 'rollback':
      return runRollback(env);
    case 'status':
      return runStatus(env, false);
    case 'verify':
      return runStatus(env, true);
    case 'seed':
      return runSeedCommand(env);
    case 'backup':
      return runBackupCommand(env);
    case 'preflight':
      throw new Error('preflight is dispatched with its token');
  }
}

/** changed-only (default on pull requests): the PR's files as GitHub compares them with the base. */
async function changedScope(inputs: ActionInputs, run: RunContext, octokit: Octokit | undefined): Promise<Map<string, string> | undefined> {
  if (inputs.command !== 'lint' && inputs.command !== 'dry-run') return undefined;
  const wanted = inputs.changedOnly ?? Boolean(run.pullRequest);
  if (!wanted) return undefined;
  if (!run.pullRequest || !run.owner || !run.repo) {
    if (inputs.changedOnly) core.notice('changed-only: not a pull request, so every migration is linted');
    return undefined;
  }
  if (!octokit) {
    core.warning('changed-only: no github-token, so every migration is linted');
    return undefined;
  }
  try {
    return await changedFiles(octokit, { owner: run.owner, repo: run.repo, issueNumber: run.pullRequest.number });
  } catch (error) {
    core.warning(`changed-only: could not list the pull request's files (${describeHttpError(error)}); every migration is linted`);
    return undefined;
  }
}

async function publishComment(inputs: ActionInputs, run: RunContext, octokit: Octokit | undefined, dir: string, body: string): Promise<string | undefined> {
  if (!run.pullRequest || inputs.comment === false) return undefined;
  if (run.pullRequest.fork) {
    core.notice('ddlgate: this pull request comes from a fork, whose token cannot write comments; the report is in the job summary and the annotations instead.');
    return undefined;
  }
  if (!octokit || !run.owner || !run.repo) {
    core.notice('ddlgate: no github-token, so no PR comment; the report is in the job summary.');
    return undefined;
  }
  try {
    const result = await upsertStickyComment(octokit, { owner: run.owner, repo: run.repo, issueNumber: run.pullRequest.number }, commentMarker(dir), scrubSecrets(body));
    log(`PR comment ${result.action}: ${result.url}`);
    return result.url;
  } catch (error) {
    // The report is in the summary; a missing `pull-requests: write` permission must not fail the check.
    core.warning(`ddlgate: could not write the PR comment (${describeHttpError(error)}); grant the job "permissions: pull-requests: write"`);
    return undefined;
  }
}

function describeHttpError(error: unknown): string {
  const err = error as { status?: number; message?: string };
  return scrubSecrets(`${err.status ? `HTTP ${err.status}: ` : ''}${(err.message ?? String(error)).split('\n')[0]}`);
}

function writeJsonReport(inputs: ActionInputs, dir: string, outcome: Outcome): string {
  const slug = `${inputs.command}-${dir}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  const file = path.join(process.env.RUNNER_TEMP || os.tmpdir(), `ddlgate-report-${slug}.json`);
  const report = { command: inputs.command, dir, verdict: verdictOf(outcome.model), failure: outcome.failure ?? null, ...outcome.json };
  writeFileSync(file, `${scrubSecrets(JSON.stringify(report, null, 2))}\n`);
  return file;
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(scrubSecrets(markdown), true).write();
  } catch (error) {
    core.warning(`ddlgate: could not write the job summary (${failureMessage(error)})`);
  }
}
