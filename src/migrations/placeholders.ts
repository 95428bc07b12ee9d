import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { displayPath, fileExists } from './layouts/files.js';
import type { SqlSource } from './types.js';

/** Flyway's `${name}` placeholders: where their values come from, and their replacement in a file's text. */

/**
 * Placeholder values, from weakest to strongest: `flyway.placeholders.<name>=value` in a `flyway.conf` beside
 * the migrations and `FLYWAY_PLACEHOLDERS_<NAME>` environment variables (where Flyway itself reads them),
 * then ddlgate's own settings (`given`: ddlgate.json `placeholders`, `--placeholder name=value`, the action
 * input `placeholders`). Names are case-insensitive, as in Flyway.
 */
export function flywayPlaceholders(dir: string, given: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const values: Record<string, string> = {};
  const conf = path.join(dir, 'flyway.conf');
  if (fileExists(conf)) {
    for (const line of readFileSync(conf, 'utf8').split('\n')) {
      const match = /^\s*flyway\.placeholders\.([^=\s]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (match) values[match[1]!.toLowerCase()] = match[2]!;
    }
  }
  for (const [key, value] of Object.entries(env)) {
    const match = /^FLYWAY_PLACEHOLDERS_(.+)$/.exec(key);
    if (match && value !== undefined) values[match[1]!.toLowerCase()] = value;
  }
  for (const [key, value] of Object.entries(given)) values[key.toLowerCase()] = value;
  return values;
}

const ASSIGNMENT = /^([A-Za-z0-9_.:-]+)=(.*)$/s;

/**
 * `name=value` settings (the `--placeholder` flag, the action input's lines) → values; `what` names the
 * setting in the one-line error for anything else.
 */
export function parsePlaceholderAssignments(assignments: readonly string[], what: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const match = ASSIGNMENT.exec(assignment.trim());
    if (!match) throw new InputError(`${what}: "${assignment}" is not name=value (e.g. ohdsiSchema=webapi)`);
    values[match[1]!] = match[2]!;
  }
  return values;
}

/** Every way to give a placeholder its value, for the error about one that has none. */
export function placeholderWays(name: string): string {
  const env = `FLYWAY_PLACEHOLDERS_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return `give it with --placeholder ${name}=<value>, "placeholders": {"${name}": "<value>"} in ddlgate.json, the action input placeholders (a line ${name}=<value>), the environment variable ${env}, or flyway.placeholders.${name}=<value> in flyway.conf beside the migrations`;
}

/** A Flyway placeholder as Flyway replaces it: `${name}` (global: use it with replace). */
export const FLYWAY_PLACEHOLDER = /\$\{([^}\s]+)\}/g;

/**
 * Flyway's `${name}` placeholders (names case-insensitive). Built-ins that need no connection are known;
 * any other name without a value is refused, naming the file, the line and where Flyway (and ddlgate) read it.
 */
export function replaceFlywayPlaceholders(source: SqlSource, text: string): string {
  const values = new Map(Object.entries(source.placeholders ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  values.set('flyway:filename', source.path.split(/[\\/]/).pop()!);
  values.set('flyway:workingdirectory', process.cwd());
  return text.replace(FLYWAY_PLACEHOLDER, (whole, name: string, offset: number) => {
    const value = values.get(name.toLowerCase());
    if (value !== undefined) return value;
    const line = text.slice(0, offset).split('\n').length;
    throw new InputError(`${displayPath(source.path)}:${line}: no value for Flyway placeholder ${whole} (Flyway refuses it too); ${placeholderWays(name)}`);
  });
}

