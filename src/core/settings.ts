/**
 * The runner's timing settings, resolved in one place for both shells: built-in defaults < ddlgate.json <
 * environment variables (DDLGATE_LOCK_TIMEOUT …) < the CLI's flags or the action's inputs. Before this module
 * the defaults were written in the CLI options, the action steps and several commands, and had drifted (the
 * action waited a fixed 60 s for the run lock; `seed` used a 5 s lock timeout in the CLI and 500 ms in the
 * action). Both shells now call resolveRunnerTimings with what the user gave them.
 */
import { durationToMs, type DdlgateConfig } from '../config.js';
import { InputError } from '../errors.js';
import { DEFAULT_INDEX_TIMEOUT, DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_TIMEOUT } from '../db/lock-policy.js';

/** The settings a user can give, as given: durations as text ("5s") or milliseconds, retries as a count. */
export interface RunnerKnobs {
  lockTimeout?: string | number | undefined;
  statementTimeout?: string | number | undefined;
  lockWait?: string | number | undefined;
  lockRetries?: string | number | undefined;
  indexTimeout?: string | number | undefined;
}

export type Knob = keyof RunnerKnobs;

export interface RunnerTimings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockWaitMs: number;
  lockRetries: number;
  indexTimeoutMs: number;
}

/**
 * Migrations: short, escalating lock timeouts with retries (db/lock-policy.ts says why). Seeds run each file
 * once in a transaction without retries, so one longer lock timeout.
 */
export const RUNNER_DEFAULTS = {
  migrations: { lockTimeout: DEFAULT_LOCK_TIMEOUT, statementTimeout: '15min', lockWait: '60s', lockRetries: DEFAULT_LOCK_RETRIES, indexTimeout: DEFAULT_INDEX_TIMEOUT },
  seeds: { lockTimeout: '5s', statementTimeout: '15min', lockWait: '60s', lockRetries: 0, indexTimeout: DEFAULT_INDEX_TIMEOUT },
} satisfies Record<string, Required<RunnerKnobs>>;

export type RunnerPurpose = keyof typeof RUNNER_DEFAULTS;

export const RUNNER_ENV: Record<Knob, string> = {
  lockTimeout: 'DDLGATE_LOCK_TIMEOUT',
  statementTimeout: 'DDLGATE_STATEMENT_TIMEOUT',
  lockWait: 'DDLGATE_LOCK_WAIT',
  lockRetries: 'DDLGATE_LOCK_RETRIES',
  indexTimeout: 'DDLGATE_INDEX_TIMEOUT',
};

/** The knobs' names in ddlgate.json (the same as RunnerKnobs). */
const CONFIG_KEYS: Record<Knob, keyof DdlgateConfig> = {
  lockTimeout: 'lockTimeout',
  statementTimeout: 'statementTimeout',
  lockWait: 'lockWait',
  lockRetries: 'lockRetries',
  indexTimeout: 'indexTimeout',
};

export interface ResolveInput {
  config: DdlgateConfig;
  /** Environment variables (process.env in the shells; a plain object in tests). */
  env?: Record<string, string | undefined>;
  /** What the flags (CLI) or inputs (action) say; undefined = not given. */
  given: RunnerKnobs;
  /** How the shell names a knob in messages: `--lock-timeout` or `input "lock-timeout"`. */
  label: (knob: Knob) => string;
  purpose?: RunnerPurpose;
}

function count(value: string | number, what: string): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < 0 || number > 100) throw new InputError(`${what}: "${value}" must be a whole number from 0 to 100`);
  return number;
}

export function resolveRunnerTimings(input: ResolveInput): RunnerTimings {
  const defaults = RUNNER_DEFAULTS[input.purpose ?? 'migrations'];
  const pick = (knob: Knob): { value: string | number; what: string } => {
    const flag = input.given[knob];
    const fromEnv = input.env?.[RUNNER_ENV[knob]];
    const fromConfig = input.config[CONFIG_KEYS[knob]] as string | number | undefined;
    // An empty flag is bad input (`--lock-timeout ""`); an empty environment variable is an unset one.
    if (flag !== undefined) {
      return { value: flag, what: input.label(knob) };
    }
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      return { value: fromEnv, what: RUNNER_ENV[knob] };
    }
    if (fromConfig !== undefined) {
      return { value: fromConfig, what: `ddlgate.json ${CONFIG_KEYS[knob]}` };
    }
    return { value: defaults[knob], what: `default ${knob}` };
  };
  const duration = (knob: Knob) => {
    const { value, what } = pick(knob);
    return durationToMs(value, what);
  };
  const retries = pick('lockRetries');
  return {
    lockTimeoutMs: duration('lockTimeout'),
    statementTimeoutMs: duration('statementTimeout'),
    lockWaitMs: duration('lockWait'),
    lockRetries: count(retries.value, retries.what),
    indexTimeoutMs: duration('indexTimeout'),
  };
}
