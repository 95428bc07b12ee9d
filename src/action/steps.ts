/**
 * What each `command` does inside the action, built from the core (lint, runner, ops). Every step
 * returns an Outcome — the report model, the JSON report and, when the step must fail the job, one
 * line saying why — so that the comment, summary, annotations and outputs are published whatever
 * happened. Only errors that leave nothing to report (bad input, no connection) are thrown.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DdlgateConfig } from '../config.js';
import type { RunnerPurpose } from '../core/settings.js';
import { runDown } from '../db/down.js';
import { runDryRun, type DryRunMigration, type DryRunReport } from '../db/dry-run.js';
import { createLockTrace, type TraceFlag } from '../db/lock-trace.js';
import { compareVersions, type StatusItem } from '../db/status.js';
import { getStatus, statusJson } from '../db/status-query.js';
import { applyPending, BackupFailed, type ApplyResult } from '../core/apply.js';
import { MigrationFailed, runUp, type RunnerSettings, type UpResult } from '../db/up.js';
import { DdlgateError } from '../errors.js';
import { lintFiles, lintMigrationsDir, mergeEvidence, resolveLintSettings, type LintResult } from '../lint/index.js';
import { entriesOf, type MigrationSet } from '../migrations/discover.js';
import { defaultBackupPath, runBackup, type BackupResult } from '../ops/backup.js';
import { DEFAULT_SNAPSHOT_PATH, serializeSnapshot } from '../impact/snapshot.js';
import { impactForCheck } from '../ops/impact-check.js';
import { takeSnapshot } from '../ops/snapshot.js';
import { runSeeds } from '../ops/seeds.js';
import { traceText } from '../report/comment-markdown.js';
import { fixFor } from '../report/fix-sql.js';
import type { ReportFile, ReportFinding, ReportModel, ReportOperation } from '../report/model.js';
import type { RunContext } from './context.js';
import { pendingOf, readPlanFor, writePlan } from './plan-file.js';
import { runReadOnlyPlan } from './read-only-plan-step.js';
import { replayBaseRefusal } from './preflight.js';
import { planDifference } from '../db/deploy-plan.js';
import { OperationError } from '../errors.js';
import { isProtectedTarget } from './gate.js';
import { actionTimings, type ActionInputs } from './inputs.js';

export interface Outcome {
  model: ReportModel;
  json: Record<string, unknown>;
  /** Why the job fails (one line), when it does. */
  failure?: string;
  lint?: LintResult;
  pending?: number;
  applied?: number;
}

export interface StepEnv {
  inputs: ActionInputs;
  run: RunContext;
  dir: string;
  schema: string;
  config: DdlgateConfig;
  configPath?: string;
  /** The migrations directory read once for the whole run (absent for seed and backup, which do not read it). */
  set?: MigrationSet;
  /** changed-only: repository path → PR file status; undefined lints the whole directory. */
  changed?: Map<string, string>;
  /** A file's path inside its repository (from git: whatever the checkout's `path:`). */
  repoPath(file: string): string;
  log(message: string): void;
  sleep(ms: number): Promise<void>;
}

function runnerSettings(env: StepEnv, purpose?: RunnerPurpose): RunnerSettings {
  const { inputs, config } = env;
  return {
    databaseUrl: inputs.databaseUrl!,
    dir: env.dir,
    schema: env.schema,
    ...actionTimings(inputs, config, purpose),
    environment: inputs.environment ?? null,
    log: env.log,
    ...(env.set ? { set: env.set } : {}),
  };
}

export function baseModel(env: StepEnv): ReportModel {
  const notes: string[] = [];
  if (env.changed) notes.push('Only the migrations this pull request adds or changes are linted (changed-only).');
  if (env.inputs.allowBreaking) notes.push('Breaking changes are allowed for this run (allow-breaking): they are reported as warnings.');
  return { dir: env.dir, command: env.inputs.command, files: [], failOn: env.inputs.failOn, notes, ...(env.changed ? { changedOnly: true } : {}) };
}

// ---- lint -----------------------------------------------------------------------------------------

/** Lints the directory, only the files the PR changed, or the given files. */
export function lintStep(env: StepEnv, only?: string[]): LintResult {
  const settings = resolveLintSettings(env.config, { allowBreaking: env.inputs.allowBreaking, ...(env.configPath ? { configPath: env.configPath } : {}) });
  // With the set, a file is linted as its layout reads it: a dbmate file's down section is linted as down.
  const withSet = env.set ? { set: env.set } : {};
  if (only) return lintFiles(only, settings, withSet);
  if (!env.changed) return lintMigrationsDir(env.dir, settings, withSet);
  const files = entriesOf(env).flatMap((entry) => [entry.upPath, ...(entry.downPath ? [entry.downPath] : [])]);
  return lintFiles([...new Set(files)].filter((file) => env.changed!.has(env.repoPath(file))), settings, withSet);
}

/** lint: the job fails on errors (fail-on error|warning) or on warnings too (fail-on warning). */
export function lintFailure(result: LintResult, failOn: ActionInputs['failOn']): string | undefined {
  const { errors, warnings } = result.summary;
  if (failOn !== 'never' && errors > 0) return `lint found ${errors} blocking error(s) and ${warnings} warning(s)`;
  if (failOn === 'warning' && warnings > 0) return `lint found ${warnings} warning(s) (fail-on: warning)`;
  return undefined;
}

/** Joins lint results and dry-run migrations into one entry per file (by absolute path). */
export function reportFiles(env: StepEnv, lint: LintResult | undefined, dryRun: DryRunReport | undefined, defaultStatus?: string): ReportFile[] {
  const byPath = new Map<string, ReportFile>();
  const status = (file: string) => env.changed?.get(env.repoPath(file)) ?? defaultStatus;
  for (const file of lint?.files ?? []) {
    const shown = env.repoPath(file.path);
    const entry: ReportFile = { path: shown, findings: file.findings };
    const s = status(file.path);
    if (s) entry.status = s;
    byPath.set(path.resolve(file.path), entry);
  }
  for (const migration of dryRun?.migrations ?? []) {
    const key = path.resolve(migration.path);
    const entry = byPath.get(key) ?? { path: env.repoPath(migration.path), findings: null, status: 'pending' };
    Object.assign(entry, { version: migration.version, name: migration.name, dryRun: migration });
    byPath.set(key, entry);
  }
  for (const [file, entry] of byPath) if (entry.findings?.length) entry.findings = enrichFindings(file, entry.findings, entry.dryRun);
  // Version order (file names start with the version), up before down.
  const key = (file: ReportFile) => file.path.replace(/\.(up|down)\.sql$/i, (_, direction: string) => (direction.toLowerCase() === 'up' ? '\u0000' : '\u0001'));
  return [...byPath.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Each finding with what the report shows of it: the statement's SQL (its lines of the file, trimmed),
 * the lock the dry-run traced at that statement, and the fix as SQL when it is a rewrite of the same
 * statement. Evidence (lint) and impact (snapshot) arrive on the finding itself when those ran.
 */
function enrichFindings(file: string, findings: ReportFinding[], dryRun: DryRunMigration | undefined): ReportFinding[] {
  let text: string[] | undefined;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  } catch {
    text = undefined;
  }
  return findings.map((finding) => {
    const out: ReportFinding = { ...finding };
    if (text && finding.line >= 1) {
      const lines = text.slice(finding.line - 1, Math.max(finding.line, finding.endLine));
      if (finding.column > 1 && lines.length) lines[0] = lines[0]!.slice(finding.column - 1);
      const excerpt = lines.join('\n').trim();
      if (excerpt) {
        const shown = excerpt.split('\n');
        out.excerpt = shown.length > 12 ? `${shown.slice(0, 11).join('\n')}\n-- … (${shown.length - 11} more lines)` : excerpt;
        const fix = fixFor(finding.rule, excerpt);
        if (fix && shown.length <= 12) out.fix = fix;
      }
    }
    const statement = dryRun?.statements.find((s) => s.line === finding.line);
    // The finding's own impact already gives the production size: the trace then says what the dry-run saw.
    const traced = statement && traceText(statement, { production: !finding.impact?.summary });
    if (traced) out.traced = traced;
    return out;
  });
}

/**
 * The `stats` input: impact on the findings and on every lock the dry-run traced (and, on a throwaway
 * database, calibration and drift).
 */
async function withStats<R extends DryRunReport | undefined>(env: StepEnv, lint: LintResult, notes: string[], throwaway: boolean, dryRun: R): Promise<{ lint: LintResult; dryRun: R }> {
  if (!env.inputs.stats) return { lint, dryRun };
  const result = await impactForCheck(lint, {
    statsFile: env.inputs.stats,
    config: env.config,
    schema: env.schema,
    ...(env.inputs.lockTimeoutMs !== undefined ? { lockTimeoutMs: env.inputs.lockTimeoutMs } : {}),
    ...(throwaway && env.inputs.replayBase && env.inputs.databaseUrl ? { throwawayUrl: env.inputs.databaseUrl } : {}),
    ...(dryRun ? { dryRun } : {}),
  });
  notes.push(...result.notes);
  return { lint: result.lint, dryRun: (result.dryRun ?? dryRun) as R };
}

export async function runLint(env: StepEnv): Promise<Outcome> {
  const model = baseModel(env);
  const { lint } = await withStats(env, lintStep(env), model.notes!, false, undefined);
  model.files = reportFiles(env, lint, undefined);
  const failure = lintFailure(lint, env.inputs.failOn);
  return { model, json: { lint }, lint, ...(failure ? { failure } : {}) };
}

const EMPTY_LINT: LintResult = { files: [], summary: { errors: 0, warnings: 0, infos: 0 } };

// ---- dry-run --------------------------------------------------------------------------------------

function traceNotes(report: DryRunReport): string[] {
  return ((report.flags as TraceFlag[] | undefined) ?? []).map((flag) => flag.message);
}

async function dryRunStep(env: StepEnv): Promise<DryRunReport> {
  await replayBaseMigrations(env);
  const trace = createLockTrace({ schema: env.schema });
  return runDryRun({ ...runnerSettings(env), observer: trace });
}

/**
 * replay-base, on a throwaway database: the migrations older than the first one the pull request adds or
 * changes are what production already has, so they are applied first; the dry-run then traces the PR's
 * migrations against existing tables, as they will run in production.
 */
async function replayBaseMigrations(env: StepEnv): Promise<void> {
  if (!env.inputs.replayBase) return;
  const refusal = replayBaseRefusal(env.inputs.databaseUrl!);
  if (refusal) throw new OperationError(refusal);
  if (!env.changed) {
    env.log('replay-base: no list of the pull request\'s files, so nothing is replayed (every migration is dry-run from an empty database)');
    return;
  }
  const entries = entriesOf(env);
  const touched = entries.filter((entry) => [entry.upPath, entry.downPath].some((file) => file && env.changed!.has(env.repoPath(file))));
  const first = touched[0];
  const base = first ? entries.filter((entry) => compareVersions(entry.version, first.version) < 0) : entries;
  const last = base[base.length - 1];
  if (!last) return;
  env.log(`replay-base: applying the ${base.length} migration(s) before ${first ? `${first.version}_${first.name}` : 'the end'} to the throwaway database first`);
  // A throwaway database (refused above otherwise): consecutive transactional migrations share a transaction.
  await runUp({ ...runnerSettings(env), to: last.version, replayBatches: true });
}

function dryRunFailure(report: DryRunReport): string | undefined {
  const failed = report.migrations.filter((m) => !m.ok);
  if (failed.length === 0) return undefined;
  return `dry-run failed: ${failed[0]!.error ?? `${failed[0]!.version}_${failed[0]!.name}`}${failed.length > 1 ? ` (and ${failed.length - 1} more failing migration(s))` : ''}`;
}

/** dry-run: lint (PR scope) plus the rolled-back run of every pending migration with its lock trace. */
export async function runDryRunCommand(env: StepEnv): Promise<Outcome> {
  if (env.inputs.readOnly) return runReadOnlyPlan(env);
  // A deploy's plan (plan-file) lints what it would apply, as apply does: an old applied migration's
  // finding must not block every deploy.
  const planMode = Boolean(env.inputs.planFile);
  let lint = planMode ? EMPTY_LINT : lintStep(env);
  let report: DryRunReport;
  try {
    report = await dryRunStep(env);
    if (planMode) {
      lint = report.migrations.length ? lintStep(env, report.migrations.map((m) => m.path)) : EMPTY_LINT;
      const plan = writePlan(env.inputs.planFile!, env.inputs.environment, env.inputs.databaseUrl!, report.migrations);
      env.log(`plan: ${plan.pending.length} pending migration(s) for ${plan.environment ?? 'no environment'} written to ${env.inputs.planFile}`);
    }
  } catch (error) {
    // No connection, no lock, a modified applied file …: the lint part of the report still stands.
    if (!(error instanceof DdlgateError)) throw error;
    const model: ReportModel = { ...baseModel(env), files: reportFiles(env, lint, undefined), couldNotRun: { kind: error.exitCode === 2 ? 'input' : 'infrastructure', reason: `the dry-run could not run: ${error.message}` } };
    return { model, json: { lint, dryRun: null, error: error.message }, lint, failure: `dry-run could not run: ${error.message}` };
  }
  // Each lock or rewrite finding confirmed or contradicted by what PostgreSQL did (src/lint/evidence.ts).
  lint = mergeEvidence(lint, report.migrations);
  // After the dry-run (rolled back): a replay-base database then holds exactly the migrations before the PR.
  const model: ReportModel = { ...baseModel(env), dryRunOk: report.ok };
  ({ lint, dryRun: report } = await withStats(env, lint, model.notes!, true, report));
  model.dryRunReport = report;
  model.files = reportFiles(env, lint, report);
  model.notes!.push(...traceNotes(report));
  if (report.migrations.length === 0) model.notes!.push('Dry-run: nothing pending, the database is up to date.');
  const failure = dryRunFailure(report) ?? lintFailure(lint, env.inputs.failOn);
  return { model, json: { lint, dryRun: report }, lint, pending: report.migrations.length, ...(failure ? { failure } : {}) };
}

// ---- apply ----------------------------------------------------------------------------------------

function planLines(migrations: DryRunMigration[]): string[] {
  const lines: string[] = [];
  for (const m of migrations) {
    lines.push(`${m.version}_${m.name} (${m.statements.length} statement(s), ${Math.round(m.durationMs)} ms in the dry-run${m.transactional ? '' : ', outside a transaction'})`);
    for (const s of m.statements) {
      for (const flag of (s.flags as TraceFlag[] | undefined) ?? []) lines.push(`  line ${s.line}: ${flag.message}`);
    }
  }
  return lines;
}

/**
 * apply: dry-run first (stop if it fails or lint blocks), the review window (plan printed; cancelling
 * the workflow now cancels the apply), a backup (backup-path, or always on a protected target), the
 * apply itself, then a status check.
 */
export async function runApply(env: StepEnv): Promise<Outcome> {
  const { inputs } = env;
  const approved = inputs.planFile ? readPlanFor(inputs.planFile, inputs.environment, inputs.databaseUrl!) : undefined;
  const settings = { ...runnerSettings(env), ...(approved ? { expectedPending: approved.pending } : {}) };
  const dry = await dryRunStep(env);
  const lint = dry.migrations.length ? mergeEvidence(lintStep(env, dry.migrations.map((m) => m.path)), dry.migrations) : { files: [], summary: { errors: 0, warnings: 0, infos: 0 } };
  const model: ReportModel = { ...baseModel(env), files: reportFiles(env, lint, dry, 'pending'), dryRunOk: dry.ok, dryRunReport: dry };
  model.notes = model.notes!.filter((n) => !n.includes('changed-only'));
  const json: Record<string, unknown> = { lint, dryRun: dry };
  const stop = (failure: string, extra: Partial<Outcome> = {}): Outcome => {
    model.operation = { headline: `Nothing applied — ${failure.replace(/, nothing was applied:/, ':')}`, ok: false };
    return { model, json: { ...json, applied: [] }, lint, pending: dry.migrations.length, applied: 0, failure, ...extra };
  };
  const blocked = (approved ? planDifference(approved.pending, pendingOf(dry.migrations)) : null) ?? dryRunFailure(dry) ?? lintFailure(lint, inputs.failOn);
  if (blocked) return stop(blocked);
  if (dry.migrations.length === 0) {
    model.operation = { headline: 'Up to date — nothing to apply', ok: true };
    const status = await getStatus(settings);
    model.status = status;
    labelFiles(model, status);
    return { model, json: { ...json, applied: [], status: statusJson(status) }, lint, pending: count(status, 'pending'), applied: 0 };
  }

  const plan = planLines(dry.migrations);
  env.log(`Plan: ${dry.migrations.length} migration(s) to apply`);
  for (const line of plan) env.log(`  ${line}`);
  if (inputs.reviewWindowSeconds > 0) {
    env.log(`Review window: applying in ${inputs.reviewWindowSeconds} s; cancel the workflow run now to stop it.`);
    await env.sleep(inputs.reviewWindowSeconds * 1000);
  }

  const backupFile = inputs.backupPath ?? (isProtectedTarget(inputs) ? defaultBackupPath(settings.databaseUrl) : undefined);
  let backup: BackupResult | undefined;
  let result: ApplyResult;
  let applying = false;
  try {
    // The same pipeline as the CLI's `up` (src/core/apply.ts): drift check, backup, fingerprint.
    result = await applyPending({
      ...settings,
      ...(backupFile ? { backup: { file: backupFile } } : {}),
      beforeFirstStatement: async () => {
        applying = true;
      },
    });
    backup = result.backup;
  } catch (error) {
    // No backup (no pg_dump of the server's major, no disk space …) means no apply: safe by default.
    if (error instanceof BackupFailed) return stop(`${error.reason} (backup to ${backupFile} before applying)`);
    if (!applying && error instanceof DdlgateError && !(error instanceof MigrationFailed)) return stop(error.message);
    if (!(error instanceof MigrationFailed)) throw error;
    result = error.result;
    backup = (error.result as ApplyResult).backup;
    const status = await getStatus(settings).catch(() => undefined);
    if (status) {
      model.status = status;
      labelFiles(model, status);
    }
    model.operation = operationOf(result, backup, error.message, plan);
    return { model, json: { ...json, applied: result.applied, failed: result.failed, backup, ...(status ? { status: statusJson(status) } : {}) }, lint, pending: status ? count(status, 'pending') : undefined, applied: result.applied.length, failure: error.message } as Outcome;
  }
  const status = await getStatus(settings);
  model.status = status;
  labelFiles(model, status);
  const notApplied = status.filter((item) => item.state !== 'applied');
  model.operation = operationOf(result, backup, undefined, plan);
  const outcome: Outcome = { model, json: { ...json, applied: result.applied, batch: result.batch, backup, status: statusJson(status) }, lint, pending: count(status, 'pending'), applied: result.applied.length };
  // Verify: after a successful apply every migration of the directory must be applied.
  if (notApplied.length) outcome.failure = `after apply, ${notApplied.length} migration(s) are not applied: ${notApplied.map((i) => `${i.version}_${i.name} (${i.state})`).join(', ')}`;
  return outcome;
}

function operationOf(result: UpResult, backup: BackupResult | undefined, error: string | undefined, plan: string[]): ReportOperation {
  const applied = result.applied.map((a) => `applied ${a.version}_${a.name} in ${Math.round(a.durationMs)} ms${a.attempts > 1 ? ` (${a.attempts} attempts)` : ''}`);
  const details = [...(backup ? [`backup: ${backup.path} (${backup.sizeBytes} bytes, ${backup.format}, ${backup.pgDump})`] : []), ...applied, ...(error ? [`failed: ${error}`] : []), '', 'plan:', ...plan];
  const headline = error ? `Apply failed — ${result.applied.length} migration(s) applied before: ${error}` : `Applied ${result.applied.length} migration(s) in batch ${result.batch}`;
  return { headline, ok: !error, details };
}

/** After apply, each file is labelled with its real state (applied, failed, pending), not "pending". */
function labelFiles(model: ReportModel, status: StatusItem[]): void {
  const byVersion = new Map(status.map((item) => [item.version, item.state]));
  for (const file of model.files) {
    const state = file.version ? byVersion.get(file.version) : undefined;
    if (state) file.status = state;
  }
}

function count(items: StatusItem[], state: StatusItem['state']): number {
  return items.filter((item) => item.state === state).length;
}

// ---- rollback, status, verify, seed, backup -------------------------------------------------------

/** rollback: prints the down SQL it is about to run (before anything changes), then runs it. */
export async function runRollback(env: StepEnv): Promise<Outcome> {
  const settings = runnerSettings(env);
  const model = baseModel(env);
  const sql: Array<{ title: string; sql: string }> = [];
  const done = await runDown({
    ...settings,
    steps: env.inputs.steps,
    onPlan: async (plan) => {
      env.log(plan.length ? `Rolling back ${plan.length} migration(s); the down SQL:` : 'Nothing to roll back.');
      for (const step of plan) {
        env.log(`-- ${step.version}_${step.name} (${step.script.path})`);
        for (const line of step.script.text.replace(/\n+$/, '').split('\n')) env.log(line);
        sql.push({ title: `Down SQL of ${step.version}_${step.name}`, sql: step.script.text });
      }
      // The same review window as apply: the down SQL is on screen, nothing has run yet, cancelling stops it.
      if (plan.length && env.inputs.reviewWindowSeconds > 0) {
        env.log(`Review window: rolling back in ${env.inputs.reviewWindowSeconds} s; cancel the workflow run now to stop it.`);
        await env.sleep(env.inputs.reviewWindowSeconds * 1000);
      }
    },
  });
  const status = await getStatus(settings);
  model.status = status;
  model.operation = { headline: done.length ? `Rolled back ${done.length} migration(s): ${done.map((d) => `${d.version}_${d.name}`).join(', ')}` : 'Nothing to roll back', ok: true, sql };
  return { model, json: { rolledBack: done, status: statusJson(status) }, pending: count(status, 'pending'), applied: count(status, 'applied') };
}

/** status (never fails on states) and verify (fails unless every migration is applied unchanged). */
export async function runStatus(env: StepEnv, verify: boolean): Promise<Outcome> {
  const status = await getStatus(runnerSettings(env));
  const model = { ...baseModel(env), status };
  const bad = status.filter((item) => item.state !== 'applied');
  const outcome: Outcome = { model, json: { status: statusJson(status) }, pending: count(status, 'pending'), applied: count(status, 'applied') };
  if (verify) {
    model.operation = bad.length
      ? { headline: `Verify failed — ${bad.length} migration(s) are not applied as recorded: ${bad.map((i) => `${i.version}_${i.name} (${i.state})`).join(', ')}`, ok: false }
      : { headline: `Verified — all ${status.length} migration(s) are applied and unchanged`, ok: true };
    if (bad.length) outcome.failure = `verify: ${model.operation.headline}`;
  }
  return outcome;
}

export async function runSeedCommand(env: StepEnv): Promise<Outcome> {
  const settings = runnerSettings(env, 'seeds');
  const seedsDir = env.config.seedsDir ?? 'seeds';
  const outcomes = await runSeeds({ ...settings, seedsDir });
  const model = baseModel(env);
  const ran = outcomes.filter((o) => o.state !== 'skipped');
  model.operation = { headline: `${ran.length} seed(s) ran, ${outcomes.length - ran.length} already applied (${seedsDir}).`, ok: true, details: outcomes.map((o) => `${o.state} ${o.name} (${Math.round(o.durationMs)} ms)`) };
  return { model, json: { seeds: outcomes } };
}

export async function runBackupCommand(env: StepEnv): Promise<Outcome> {
  const settings = runnerSettings(env);
  const file = env.inputs.backupPath ?? defaultBackupPath(settings.databaseUrl);
  const result = await runBackup({ ...settings, file });
  const model = baseModel(env);
  model.operation = { headline: `Backup written to ${result.path} (${result.sizeBytes} bytes, ${result.format} format).`, ok: true };
  return { model, json: { backup: result } };
}

/** snapshot: production's statistics (never row data) to the `stats` path, for the PR checks (docs/impact.md). */
export async function runSnapshotCommand(env: StepEnv): Promise<Outcome> {
  const file = env.inputs.stats ?? DEFAULT_SNAPSHOT_PATH;
  const redactKey = process.env.DDLGATE_REDACT_KEY || undefined;
  const snapshot = await takeSnapshot(env.inputs.databaseUrl!, { schema: env.schema, redact: env.inputs.redact, ...(redactKey ? { redactKey } : {}) });
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, serializeSnapshot(snapshot));
  const model = baseModel(env);
  model.operation = { headline: `Statistics snapshot of ${Object.keys(snapshot.tables).length} table(s) written to ${file}${snapshot.redacted ? ' (identifiers redacted)' : ''}.`, ok: true };
  return { model, json: { snapshot: { path: file, tables: Object.keys(snapshot.tables).length, redacted: snapshot.redacted, fingerprint: snapshot.schema.fingerprint } } };
}

/** A step error as an Outcome: user-facing (DdlgateError) errors keep their message, others are marked unexpected. */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!;
  return error instanceof DdlgateError ? first : `unexpected error: ${first}`;
}
