/**
 * The only reader of the action's inputs: every input is read and validated once, here, into a typed
 * object. A bad value fails with one line naming the input and what it accepts. Defaults repeat
 * action.yml's, because a runner without action.yml metadata (the e2e tests) sets no defaults.
 */
import * as core from '@actions/core';
import { durationToMs, DURATION, type DdlgateConfig } from '../config.js';
import { resolveRunnerTimings, type RunnerPurpose, type RunnerTimings } from '../core/settings.js';
import { decodeUrlPart } from '../db/connection.js';
import { InputError } from '../errors.js';
import { parsePlaceholderAssignments } from '../migrations/placeholders.js';
import { registerSecret } from '../secrets.js';

export const COMMANDS = ['lint', 'dry-run', 'apply', 'rollback', 'status', 'verify', 'seed', 'backup', 'preflight', 'snapshot'] as const;
export type ActionCommand = (typeof COMMANDS)[number];

export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Commands that need a database (everything but lint). */
export const DATABASE_COMMANDS: ReadonlySet<ActionCommand> = new Set(['dry-run', 'apply', 'rollback', 'status', 'verify', 'seed', 'backup', 'snapshot']);

export interface ActionInputs {
  command: ActionCommand;
  /** undefined: ddlgate.json's migrationsDir, else "migrations". */
  migrationsDir?: string;
  databaseUrl?: string;
  githubToken?: string;
  environment?: string;
  /** `protected: true`: the production gate applies whatever the environment's name. */
  protected: boolean;
  confirm?: string;
  allowBreaking: boolean;
  /** Only when given: otherwise ddlgate.json's value or the runner's default applies. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** undefined = "auto": on for pull requests. */
  comment?: boolean;
  changedOnly?: boolean;
  /** undefined = "auto": review suggestions on pull_request events. */
  reviewComments?: boolean;
  /** The database is a throwaway one: apply the migrations the PR does not touch before its dry-run. */
  replayBase: boolean;
  failOn: FailOn;
  reviewWindowSeconds: number;
  backupPath?: string;
  config?: string;
  /** Production statistics snapshot (ddlgate snapshot) for impact and drift; a missing file is only noted. */
  stats?: string;
  /** snapshot: replace identifiers by hashes. */
  redact: boolean;
  steps: number;
  /** dry-run: write the deploy plan here; apply: refuse unless the pending set is exactly this plan's. */
  planFile?: string;
  /** preflight: deploy to a production environment that has no required reviewers or wait timer. */
  allowUnprotectedProduction: boolean;
  /** dry-run: plan with read-only credentials (status, lint against the catalog, impact; no lock trace). */
  readOnly: boolean;
  /** Flyway `${name}` placeholder values, one `name=value` per line; they win over ddlgate.json's. */
  placeholders?: Record<string, string>;
}

export type InputReader = (name: string) => string;

/**
 * Reads inputs the way the runner passes them (INPUT_<NAME> environment variables, hyphens kept).
 * Untrimmed: the confirmation phrase must match exactly; the other parsers trim for themselves.
 */
export const runnerInputs: InputReader = (name) => core.getInput(name, { trimWhitespace: false });

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback?: T): T {
  if (value === '' && fallback !== undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input "${name}": "${value}" is not one of ${allowed.join(', ')}`);
}

/** true/false as YAML writes them; "auto" (or empty) leaves the decision to the event. */
function tristate(name: string, value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'auto') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(`input "${name}": "${value}" must be true, false or auto`);
}

function boolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(`input "${name}": "${value}" must be true or false`);
}

function integer(name: string, value: string, fallback: number, min: number, max: number): number {
  const v = value.trim();
  if (v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InputError(`input "${name}": "${value}" must be a whole number from ${min} to ${max}`);
  return Number(v);
}

function duration(name: string, value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (!DURATION.test(v)) throw new InputError(`input "${name}": "${value}" is not a duration (use e.g. 500ms, 5s, 15min)`);
  return durationToMs(v, `input "${name}"`);
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

/** Command and directory as given, unvalidated: only to label the summary of a run whose inputs are bad. */
export function rawLabels(read: InputReader = runnerInputs): { command: string; dir: string } {
  return { command: read('command').trim() || 'ddlgate', dir: read('migrations-dir').trim() || 'migrations' };
}

export function readInputs(read: InputReader = runnerInputs): ActionInputs {
  const command = read('command').trim();
  if (command === '') throw new InputError(`input "command" is required: one of ${COMMANDS.join(', ')}`);
  const migrationsDir = optional(read('migrations-dir'));
  if (migrationsDir && /[\n\r\0]/.test(migrationsDir)) throw new InputError('input "migrations-dir": must be a single path');
  const databaseUrl = optional(read('database-url'));
  if (databaseUrl) {
    // Masked in the log before anything else can print it, then validated.
    core.setSecret(databaseUrl);
    registerSecret(databaseUrl);
    let parsed: URL | undefined;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      throw new InputError('input "database-url": malformed; expected postgres://user:password@host:5432/database');
    }
    if (parsed.password) {
      const password = decodeUrlPart(parsed.password, 'password');
      core.setSecret(password);
      if (password !== parsed.password) core.setSecret(parsed.password);
      registerSecret(password);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new InputError(`input "database-url": must start with postgres:// or postgresql:// (got ${parsed.protocol}//…)`);
  }
  const inputs: ActionInputs = {
    command: oneOf('command', command, COMMANDS),
    ...(migrationsDir ? { migrationsDir } : {}),
    protected: boolean('protected', read('protected'), false),
    allowBreaking: boolean('allow-breaking', read('allow-breaking'), false),
    replayBase: boolean('replay-base', read('replay-base'), false),
    redact: boolean('redact', read('redact'), false),
    failOn: oneOf('fail-on', read('fail-on').trim(), FAIL_ON, 'error'),
    reviewWindowSeconds: integer('review-window-seconds', read('review-window-seconds'), 0, 0, 3600),
    steps: integer('steps', read('steps'), 1, 1, 1000),
    allowUnprotectedProduction: boolean('allow-unprotected-production', read('allow-unprotected-production'), false),
    readOnly: boolean('read-only', read('read-only'), false),
  };
  if (inputs.readOnly && inputs.command !== 'dry-run') throw new InputError(`input "read-only": only for command dry-run (a read-only plan), not for "${inputs.command}"`);
  const placeholderLines = read('placeholders').split('\n').filter((line) => line.trim() !== '');
  if (placeholderLines.length) inputs.placeholders = parsePlaceholderAssignments(placeholderLines, 'input "placeholders"');
  const planFile = optional(read('plan-file'));
  if (planFile) inputs.planFile = planFile;
  const githubToken = optional(read('github-token'));
  const environment = optional(read('environment'));
  const confirm = read('confirm');
  const lockTimeoutMs = duration('lock-timeout', read('lock-timeout'));
  const statementTimeoutMs = duration('statement-timeout', read('statement-timeout'));
  const comment = tristate('comment', read('comment'));
  const changedOnly = tristate('changed-only', read('changed-only'));
  const reviewComments = tristate('review-comments', read('review-comments'));
  const backupPath = optional(read('backup-path'));
  const config = optional(read('config'));
  const stats = optional(read('stats'));
  if (githubToken) core.setSecret(githubToken);
  if (environment !== undefined && !/^[\w.-]{1,64}$/.test(environment)) throw new InputError(`input "environment": "${environment}" must be a short name (letters, digits, ".", "_", "-")`);
  if (databaseUrl) inputs.databaseUrl = databaseUrl;
  if (githubToken) inputs.githubToken = githubToken;
  if (environment) inputs.environment = environment;
  // The confirmation phrase is compared exactly: no trimming, so " MIGRATE-PRODUCTION" is refused.
  if (confirm !== '') inputs.confirm = confirm;
  if (lockTimeoutMs !== undefined) inputs.lockTimeoutMs = lockTimeoutMs;
  if (statementTimeoutMs !== undefined) inputs.statementTimeoutMs = statementTimeoutMs;
  if (comment !== undefined) inputs.comment = comment;
  if (changedOnly !== undefined) inputs.changedOnly = changedOnly;
  if (reviewComments !== undefined) inputs.reviewComments = reviewComments;
  if (backupPath) inputs.backupPath = backupPath;
  if (config) inputs.config = config;
  if (stats) inputs.stats = stats;
  if (DATABASE_COMMANDS.has(inputs.command) && !inputs.databaseUrl) {
    throw new InputError(`input "database-url" is required for command "${inputs.command}" (pass it from a secret: database-url: \${{ secrets.DATABASE_URL }})`);
  }
  return inputs;
}

/**
 * The runner's timings for this run: the lock-timeout and statement-timeout inputs over the environment,
 * ddlgate.json and the defaults, resolved by the same function as the CLI's flags (src/core/settings.ts).
 */
export function actionTimings(inputs: Pick<ActionInputs, 'lockTimeoutMs' | 'statementTimeoutMs'>, config: DdlgateConfig, purpose?: RunnerPurpose, env: Record<string, string | undefined> = process.env): RunnerTimings {
  return resolveRunnerTimings({
    config,
    env,
    given: { lockTimeout: inputs.lockTimeoutMs, statementTimeout: inputs.statementTimeoutMs },
    label: (knob) => `input "${knob.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}"`,
    ...(purpose ? { purpose } : {}),
  });
}
