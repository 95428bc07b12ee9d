/** Lint settings from ddlgate.json, the environment and the command line. */
import type { DdlgateConfig } from '../config.js';
import { InputError } from '../errors.js';
import { DEFAULT_LINT_OPTIONS, type LintOptions } from './engine.js';
import { RULES_BY_ID } from './rules/index.js';

export interface LintSettings extends LintOptions {
  /** Globs of paths never linted (ddlgate.json `exclude`). */
  exclude: string[];
}

export interface LintOverrides {
  /** --allow-breaking */
  allowBreaking?: boolean;
  /** process.env by default: ALLOW_BREAKING_MIGRATIONS=true allows breaking changes. */
  env?: Record<string, string | undefined>;
  /** Name of the config file, for error messages. */
  configPath?: string;
}

export function resolveLintSettings(config: DdlgateConfig, overrides: LintOverrides = {}): LintSettings {
  const configPath = overrides.configPath ?? 'ddlgate.json';
  const rules: LintOptions['rules'] = {};
  for (const [id, setting] of Object.entries(config.rules ?? {})) {
    if (!RULES_BY_ID.has(id)) {
      const suggestion = closest(id, [...RULES_BY_ID.keys()]);
      throw new InputError(`${configPath}: unknown rule "${id}" in "rules"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; rules are listed in docs/rules.md`);
    }
    rules[id] = setting;
  }
  const env = overrides.env ?? process.env;
  const allowBreaking = overrides.allowBreaking === true || config.allowBreaking === true || isTrue(env.ALLOW_BREAKING_MIGRATIONS);
  return {
    pgVersion: config.pgVersion ?? DEFAULT_LINT_OPTIONS.pgVersion,
    rules,
    allowBreaking,
    exclude: config.exclude ?? [],
  };
}

function isTrue(value: string | undefined): boolean {
  return !!value && ['true', '1', 'yes'].includes(value.trim().toLowerCase());
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Converts a path glob (`**`, `*`, `?`) to a regular expression over /-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  const text = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '*' && text[i + 1] === '*') {
      const slash = text[i + 2] === '/';
      pattern += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}
