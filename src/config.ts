import { existsSync, readFileSync } from 'node:fs';
import { InputError } from './errors.js';

export type RuleSetting = 'off' | 'error' | 'warning' | 'info';

/** ddlgate.json: every key optional; unknown keys and wrong types are errors naming the key. */
export interface DdlgateConfig {
  migrationsDir?: string;
  schema?: string;
  pgVersion?: number;
  lockTimeout?: string;
  statementTimeout?: string;
  lockRetries?: number;
  /** How long to wait for another ddlgate run's lock; statement_timeout of concurrent index builds. */
  lockWait?: string;
  indexTimeout?: string;
  rules?: Record<string, RuleSetting>;
  exclude?: string[];
  allowBreaking?: boolean;
  seedsDir?: string;
  /** Lock findings on tables below both thresholds (in the production snapshot) are downgraded to info. */
  smallTableRows?: number;
  smallTableBytes?: number;
  /** Flyway `${name}` placeholder values (the --placeholder flag and the action input override them). */
  placeholders?: Record<string, string>;
}

type Check = (value: unknown) => string | undefined;

const isString: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const isDuration: Check = (v) =>
  (typeof v === 'string' && DURATION.test(v.trim())) || (typeof v === 'number' && v >= 0) ? undefined : 'a duration such as "5s", "500ms" or "15min"';
const isPgVersion: Check = (v) => (Number.isInteger(v) && (v as number) >= 10 && (v as number) <= 30 ? undefined : 'a PostgreSQL major version such as 15');
const isCount: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100 ? undefined : 'a whole number from 0 to 100');
const isSize: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'a whole number ≥ 0');
const isStringList: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'a list of strings');
const isStringMap: Check = (v) =>
  v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'an object of name → string value';
const isRules: Check = (v) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'an object of rule id → "off" | "error" | "warning" | "info"';
  for (const [rule, setting] of Object.entries(v)) {
    if (!['off', 'error', 'warning', 'info'].includes(setting as string)) return `"off", "error", "warning" or "info" for rule "${rule}"`;
  }
  return undefined;
};

export const MAX_DURATION_MS = 2_147_483_647;

export const DURATION = /^\d+(\.\d+)?\s*(ms|s|sec|min|m|h)?$/i;

const SCHEMA: Record<keyof DdlgateConfig, Check> = {
  migrationsDir: isString,
  schema: isString,
  pgVersion: isPgVersion,
  lockTimeout: isDuration,
  statementTimeout: isDuration,
  lockRetries: isCount,
  lockWait: isDuration,
  indexTimeout: isDuration,
  rules: isRules,
  exclude: isStringList,
  allowBreaking: isBoolean,
  seedsDir: isString,
  smallTableRows: isSize,
  smallTableBytes: isSize,
  placeholders: isStringMap,
};

export const DEFAULT_CONFIG_FILE = 'ddlgate.json';

/** Reads the config file: the named one must exist; the default one is optional. */
export function loadConfig(file: string | undefined): DdlgateConfig {
  const path = file ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) {
    if (file) throw new InputError(`${file}: config file not found`);
    return {};
  }
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}:${jsonErrorLine(text, error)}: invalid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return validateConfig(data, path);
}

export function validateConfig(data: unknown, path: string): DdlgateConfig {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError(`${path}: the config must be a JSON object`);
  for (const [key, value] of Object.entries(data)) {
    const check = SCHEMA[key as keyof DdlgateConfig];
    if (!check) throw new InputError(`${path}: unknown key "${key}" (known keys: ${Object.keys(SCHEMA).join(', ')})`);
    const expected = check(value);
    if (expected) throw new InputError(`${path}: "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return data as DdlgateConfig;
}

function jsonErrorLine(text: string, error: unknown): number {
  const match = /position (\d+)/.exec((error as Error).message);
  return match ? text.slice(0, Number(match[1])).split('\n').length : 1;
}

/** Converts "5s", "500ms", "15min", "1h" or a number of milliseconds to milliseconds. */
export function durationToMs(value: string | number, what: string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m|h)?$/i.exec(value.trim());
  if (!match) throw new InputError(`${what}: "${value}" is not a duration (use e.g. 500ms, 5s, 15min)`);
  const amount = Number(match[1]);
  const unit = (match[2] ?? 'ms').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' || unit === 'sec' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
  const ms = Math.round(amount * factor);
  // PostgreSQL's timeouts are 32-bit milliseconds (about 24.8 days): anything longer is refused here, not mid-migration.
  if (ms > MAX_DURATION_MS) throw new InputError(`${what}: "${value}" is longer than PostgreSQL accepts (at most ${MAX_DURATION_MS} ms, about 24 days)`);
  return ms;
}
