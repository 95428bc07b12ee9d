/**
 * `ddlgate init --workflows`: the caller workflows, copied into the user's .github/workflows/, pinned
 * to the same release commit as the examples this package ships (docs/examples/workflows/).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, OperationError } from '../errors.js';

/** The examples, in the repository and in the npm package (package.json "files"). */
export function examplesDir(): string {
  // lib/ops/init-workflows.js or src/ops/init-workflows.ts → <package root>/docs/examples/workflows
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'examples', 'workflows');
}

export interface WorkflowFile {
  name: string;
  text: string;
}

/** The caller files, with the migrations directory set; pure but for reading the shipped examples. */
export function callerWorkflows(migrationsDir: string, dir = examplesDir()): WorkflowFile[] {
  const normalised = migrationsDir.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(normalised) || normalised.split('/').includes('..')) {
    throw new InputError(`--dir: "${migrationsDir}" must be a relative path inside the repository (letters, digits, _ . / -)`);
  }
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
  } catch {
    throw new OperationError(`the workflow templates are missing from this installation (${dir})`);
  }
  return names.map((name) => ({
    name,
    text: readFileSync(path.join(dir, name), 'utf8')
      .replace(/^(\s+migrations-dir:) migrations$/gm, `$1 ${normalised}`)
      .replace(/^(\s+- )"migrations\/\*\*"$/gm, `$1"${normalised}/**"`),
  }));
}

export interface InitResult {
  written: string[];
  skipped: string[];
}

/** Writes the files into <root>/.github/workflows/; an existing file is kept unless `force`. */
export function writeCallerWorkflows(root: string, migrationsDir: string, force: boolean): InitResult {
  const target = path.join(root, '.github', 'workflows');
  mkdirSync(target, { recursive: true });
  const result: InitResult = { written: [], skipped: [] };
  for (const file of callerWorkflows(migrationsDir)) {
    const full = path.join(target, file.name);
    const shown = path.join('.github', 'workflows', file.name);
    if (existsSync(full) && !force) {
      result.skipped.push(shown);
      continue;
    }
    writeFileSync(full, file.text);
    result.written.push(shown);
  }
  return result;
}
