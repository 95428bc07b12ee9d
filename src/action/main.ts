/**
 * The action's run(): inputs → production gate (before any connection) → the command → outputs,
 * annotations, JSON report, the sticky PR comment and the job summary — on every run, success or
 * failure. A run on a pull request always leaves a comment that matches its conclusion: an early
 * failure (bad input, missing directory, no database) turns the comment into "could not run" with the
 * reason, and a comment that cannot be brought up to date fails the job and is named stale in the summary.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config.js';
import { DdlgateError, InputError } from '../errors.js';
import { RULES, type LintResult } from '../lint/index.js';
import { layoutLine, readMigrationSet } from '../migrations/discover.js';
import { renderComment, verdictOf, countFindings } from '../report/comment-markdown.js';
import type { ReportModel } from '../report/model.js';
import { renderLintSarif } from '../report/sarif.js';
import { renderFailureSummary, renderSummary } from '../report/summary-markdown.js';
import { scrubSecrets } from '../secrets.js';
import { loadParser } from '../sql/parser.js';
import { annotate } from './annotations.js';
import { changedFiles } from './comment.js';
import { readRunContext, type RunContext } from './context.js';
import { checkProductionGate } from './gate.js';
import { createClient, describeGitHubError, type Octokit } from './github-client.js';
import { actionWording } from './hints.js';
import { rawLabels, readInputs, runnerInputs, type ActionInputs } from './inputs.js';
import { missingFromCheckout, repoPaths, type RepoPaths } from './paths.js';
import { runPreflight } from './preflight-step.js';
import { CommentPublisher } from './publish.js';
import { postReviewSuggestions } from './review.js';
import { failureMessage, runApply, runBackupCommand, runDryRunCommand, runLint, runRollback, runSeedCommand, runSnapshotCommand, runStatus, type Outcome, type StepEnv } from './steps.js';

export interface RunOptions {
  /** The review window's wait (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

const log = (message: string) => core.info(scrubSecrets(message));

/** The version SARIF names as the tool's (package.json's; the bundle has no package.json of ours to read). */
const ACTION_VERSION = '0.1.0';

export async function run(options: RunOptions = {}): Promise<void> {
  const outputs: Record<string, string | number> = { errors: 0, warnings: 0, pending: '', applied: '', 'report-path': '', 'comment-url': '', 'sarif-path': '' };
  let { command, dir } = rawLabels();
  let publisher: CommentPublisher | undefined;
  try {
    const runContext = readRunContext();
    // Before validating anything else: whatever fails next, the PR comment must be able to say so.
    publisher = earlyPublisher(runContext);
    const inputs = readInputs();
    command = inputs.command;
    // Before the config, the parser or any database connection: a refused run touches nothing.
    checkProductionGate(inputs, runContext);
    const configPath = inputs.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
    const config = loadConfig(inputs.config);
    dir = inputs.migrationsDir ?? config.migrationsDir ?? 'migrations';
    publisher?.setDir(dir);
    if (inputs.comment === false) publisher = undefined;
    const schema = config.schema ?? 'ddlgate';
    if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new InputError(`${configPath ?? 'config'}: "schema": "${schema}" is not a plain identifier`);
    await loadParser();

    const octokit = publisher?.octokit ?? (inputs.githubToken && runContext.owner ? createClient(inputs.githubToken, { info: log }) : undefined);
    const paths = repoPaths(dir, runContext.workspace);
    const env: StepEnv = {
      inputs,
      run: runContext,
      dir,
      schema,
      config,
      ...(configPath ? { configPath } : {}),
      repoPath: (file) => paths.of(file),
      log,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    const prFiles = await pullRequestFiles(inputs, runContext, octokit);
    if (prFiles) {
      const missing = missingFromCheckout(prFiles, paths.of(path.resolve(runContext.workspace, dir)), paths);
      if (missing.length) {
        throw new InputError(
          `the pull request changes ${missing.length} migration file(s) that are not in the checkout at ${paths.root}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}; check out the pull request's head (actions/checkout without a ref) and point the input migrations-dir at the directory inside that checkout`,
        );
      }
      if (inputs.changedOnly ?? true) env.changed = prFiles;
    }
    // Read once for the whole run: lint, dry-run, apply and status all see these migrations.
    if (inputs.command !== 'seed' && inputs.command !== 'backup' && inputs.command !== 'preflight') {
      env.set = readMigrationSet(dir, { placeholders: { ...config.placeholders, ...inputs.placeholders } });
      log(layoutLine(env.set));
      for (const notice of env.set.notices) core.notice(scrubSecrets(notice));
    }

    const outcome = env.inputs.command === 'preflight' ? await runPreflight(env, octokit) : await dispatch(env);
    if (env.set) outcome.json = { layout: env.set.layout, ...outcome.json };
    const model = outcome.model;
    for (const file of model.files) {
      const url = fileUrl(runContext, paths, prFiles, file.path);
      if (url) file.url = url;
    }
    if (runContext.runUrl) model.runUrl = runContext.runUrl;
    actionWording(model);

    const counts = countFindings(model.files);
    outputs.errors = counts.errors;
    outputs.warnings = counts.warnings;
    if (outcome.pending !== undefined) outputs.pending = outcome.pending;
    if (outcome.applied !== undefined) outputs.applied = outcome.applied;
    const reportPath = writeJsonReport(inputs.command, dir, outcome);
    outputs['report-path'] = reportPath;
    if (outcome.lint) outputs['sarif-path'] = writeSarif(inputs.command, dir, outcome.lint, paths);

    annotate(model.files);
    const published = await publisher?.publish(renderComment(model));
    if (published?.url) outputs['comment-url'] = published.url;
    if (publisher && octokit && prFiles && wantsReviews(inputs, runContext)) {
      await postReviewSuggestions(octokit, runContext, dir, model, prFiles, log).catch((error) => core.warning(describeGitHubError(error, 'ddlgate: could not post the review suggestions')));
    }
    await writeSummary(renderSummary(model, { ...(outcome.failure ? { failure: actionWording(outcome.failure) } : {}), ...(published?.problem ? { commentProblem: published.problem } : {}), reportPath }));

    log(`ddlgate ${command} (${dir}): ${verdictOf(model)} — ${counts.errors} error(s), ${counts.warnings} warning(s)`);
    if (outcome.failure) core.setFailed(scrubSecrets(actionWording(outcome.failure)));
    if (published?.problem && published.stale) core.setFailed(published.problem);
  } catch (error) {
    const message = scrubSecrets(actionWording(failureMessage(error)));
    core.setFailed(message);
    // The comment must not keep saying what an earlier run found: it now says this run could not run.
    const kind = error instanceof InputError ? 'input' : 'infrastructure';
    const model: ReportModel = { dir, command, files: [], failOn: 'error', couldNotRun: { kind, reason: message } };
    const runUrl = safeRunUrl();
    if (runUrl) model.runUrl = runUrl;
    const published = await publisher?.publish(renderComment(model)).catch(() => undefined);
    if (published?.url) outputs['comment-url'] = published.url;
    if (published?.problem && published.stale) core.setFailed(published.problem);
    await writeSummary(renderFailureSummary(command, dir, message, published?.problem ? { commentProblem: published.problem } : {}));
    if (process.env.DDLGATE_DEBUG === '1' && error instanceof Error && error.stack) core.debug(scrubSecrets(error.stack));
    if (!(error instanceof DdlgateError) && error instanceof Error && error.stack) core.debug(scrubSecrets(error.stack));
  } finally {
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  }
}

function safeRunUrl(): string | undefined {
  try {
    return readRunContext().runUrl;
  } catch {
    return undefined;
  }
}

/**
 * The comment publisher, built from the raw inputs before they are validated (a bad `fail-on` must
 * still reach the PR). Undefined when there is no PR, the comment is off, the PR is a fork or no token.
 */
function earlyPublisher(run: RunContext): CommentPublisher | undefined {
  if (!run.pullRequest || !run.owner || !run.repo) return undefined;
  const wanted = runnerInputs('comment').trim().toLowerCase();
  if (wanted === 'false') return undefined;
  if (run.pullRequest.fork) {
    core.notice('ddlgate: this pull request comes from a fork, whose token cannot write comments; the report is in the job summary and the annotations instead.');
    return undefined;
  }
  const token = runnerInputs('github-token').trim();
  if (!token) {
    core.notice('ddlgate: no github-token, so no PR comment; the report is in the job summary.');
    return undefined;
  }
  core.setSecret(token);
  const octokit = createClient(token, { info: log });
  return new CommentPublisher(octokit, { owner: run.owner, repo: run.repo, issueNumber: run.pullRequest.number }, rawLabels().dir, log);
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
    case 'snapshot':
      return runSnapshotCommand(env);
  }
}

/**
 * The PR's files as GitHub compares them with the base (lint and dry-run on a pull request): the
 * changed-only scope, the check that they are all on disk, and which files exist at the PR head.
 */
async function pullRequestFiles(inputs: ActionInputs, run: RunContext, octokit: Octokit | undefined): Promise<Map<string, string> | undefined> {
  if (inputs.command !== 'lint' && inputs.command !== 'dry-run') return undefined;
  if (!run.pullRequest || !run.owner || !run.repo) {
    if (inputs.changedOnly) core.notice('changed-only: not a pull request, so every migration is linted');
    return undefined;
  }
  if (!octokit) {
    if (inputs.changedOnly !== false) core.warning('changed-only: no github-token, so every migration is linted');
    return undefined;
  }
  try {
    return await changedFiles(octokit, { owner: run.owner, repo: run.repo, issueNumber: run.pullRequest.number });
  } catch (error) {
    core.warning(`${describeGitHubError(error, "changed-only: could not list the pull request's files")}; every migration is linted`);
    return undefined;
  }
}

/**
 * A link to a file at a commit GitHub has it: the PR head for the files the PR changes (or when the
 * checkout is the head itself), the checked-out commit otherwise (an unchanged file is the same there).
 */
function fileUrl(run: RunContext, paths: RepoPaths, prFiles: Map<string, string> | undefined, file: string): string | undefined {
  if (!run.owner || !run.repo || file.startsWith('/') || file.startsWith('..')) return undefined;
  const base = `${run.serverUrl}/${run.owner}/${run.repo}/blob/`;
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  const head = run.pullRequest?.headSha;
  if (head && (prFiles?.has(file) || paths.head === head)) return `${base}${head}/${encoded}`;
  if (run.sha && (paths.head === run.sha || (!paths.fromGit && !run.pullRequest))) return `${base}${run.sha}/${encoded}`;
  return undefined;
}

/** review-comments: true | false | auto (on for pull_request events of the repository itself). */
function wantsReviews(inputs: ActionInputs, run: RunContext): boolean {
  if (inputs.reviewComments === false) return false;
  if (!run.pullRequest || run.pullRequest.fork) return false;
  return inputs.reviewComments === true || run.eventName === 'pull_request';
}

function writeJsonReport(command: string, dir: string, outcome: Outcome): string {
  const slug = `${command}-${dir}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  const file = path.join(process.env.RUNNER_TEMP || os.tmpdir(), `ddlgate-report-${slug}.json`);
  const report = { command, dir, verdict: verdictOf(outcome.model), failure: outcome.failure ?? null, ...outcome.json };
  writeFileSync(file, `${scrubSecrets(JSON.stringify(report, null, 2))}\n`);
  return file;
}

/**
 * sarif-path: the lint findings as SARIF 2.1.0 (the lint's renderer, src/report/sarif.ts) for
 * github/codeql-action/upload-sarif, with repository paths so code scanning places them on the files.
 */
function writeSarif(command: string, dir: string, lint: LintResult, paths: RepoPaths): string {
  const slug = `${command}-${dir}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  const file = path.join(process.env.RUNNER_TEMP || os.tmpdir(), `ddlgate-${slug}.sarif`);
  const inRepo: LintResult = { ...lint, files: lint.files.map((f) => ({ ...f, path: paths.of(f.path) })) };
  const sourceOf = (repoFile: string) => {
    try {
      return readFileSync(path.join(paths.root, ...repoFile.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };
  writeFileSync(file, `${scrubSecrets(JSON.stringify(renderLintSarif(inRepo, RULES, { version: ACTION_VERSION, sourceOf }), null, 2))}\n`);
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
