/**
 * Keeps the layers of src/ one-way (shared/DESIGN.md: "data flows one way"; "pure core, thin shells").
 * Every import of every file — static, type-only, `export … from` and dynamic `import()` — is read with
 * TypeScript's own scanner (ts.preProcessFile), so no import form is missed, and checked against the rules
 * below. A failure names the file and line, the import, and the rule it breaks.
 *
 * The order, bottom to top:
 *   base (errors.ts, secrets.ts, config.ts)
 *   sql/         statements and positions from the parser: pure
 *   migrations/  layouts, discovery, checksums, the MigrationSet: pure (reads files, never a database)
 *   lint/        rules over statements: pure        db/  connection, tracking, runner: the only code that talks to PostgreSQL
 *   impact/      findings weighed with production statistics (reads lint and db)
 *   ops/         operations built on db (backup, seeds, adopt …)       report/  renderers of what the layers below return
 *   core/        the pipelines both shells call
 *   cli/ and action/: the two shells, on top; neither imports the other
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/pg.js';

const SRC = path.join(REPO_ROOT, 'src');

type Layer = 'base' | 'sql' | 'migrations' | 'lint' | 'db' | 'impact' | 'ops' | 'report' | 'core' | 'cli' | 'action';

const BELOW_LINT_AND_DB: Layer[] = ['base', 'sql', 'migrations'];
const BELOW_OPS: Layer[] = [...BELOW_LINT_AND_DB, 'lint', 'db', 'impact'];
const BELOW_SHELLS: Layer[] = [...BELOW_OPS, 'ops', 'report', 'core'];

/** Which layers each layer may import (itself included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  base: ['base'],
  sql: ['base', 'sql'],
  migrations: ['base', 'sql', 'migrations'],
  lint: [...BELOW_LINT_AND_DB, 'lint'],
  db: [...BELOW_LINT_AND_DB, 'db'],
  impact: [...BELOW_OPS],
  ops: [...BELOW_OPS, 'ops'],
  report: [...BELOW_OPS, 'report'],
  core: [...BELOW_OPS, 'ops', 'report', 'core'],
  cli: [...BELOW_SHELLS, 'cli'],
  action: [...BELOW_SHELLS, 'action'],
};

/** Packages that belong to one layer: the shells own their frameworks, db owns the PostgreSQL driver. */
const PACKAGE_OWNERS: Array<{ pattern: RegExp; layers: Layer[]; why: string }> = [
  { pattern: /^@actions\/|^@octokit\//, layers: ['action'], why: 'only the action touches @actions/* and @octokit/* (pure logic never imports @actions/core)' },
  { pattern: /^commander$/, layers: ['cli'], why: 'only the CLI parses command lines' },
  { pattern: /^pg$|^pg-connection-string$/, layers: ['db'], why: 'only db/ opens PostgreSQL connections; other layers go through db/connection' },
];

function layerOf(file: string): Layer {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length === 1) return 'base';
  return relative[0] as Layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) return sourceFiles(full);
    return item.name.endsWith('.ts') && !item.name.endsWith('.d.ts') ? [full] : [];
  });
}

interface Import {
  file: string;
  line: number;
  specifier: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((ref) => ({ file, line: text.slice(0, ref.pos).split('\n').length, specifier: ref.fileName }));
}

/** The rule an import breaks, or undefined when it keeps the layers one-way. */
function violation(item: Import): string | undefined {
  const from = layerOf(item.file);
  if (item.specifier.startsWith('.')) {
    const target = path.resolve(path.dirname(item.file), item.specifier);
    if (!target.startsWith(SRC + path.sep)) return `${from}/ imports from outside src/`;
    const to = layerOf(target);
    if (!MAY_IMPORT[from].includes(to)) return `${from}/ may import only ${MAY_IMPORT[from].join(', ')}; ${to}/ is ${from === 'cli' || from === 'action' ? 'the other shell' : 'above it'}`;
    return undefined;
  }
  const bare = item.specifier.startsWith('node:') ? undefined : item.specifier.split('/').slice(0, item.specifier.startsWith('@') ? 2 : 1).join('/');
  const owner = bare === undefined ? undefined : PACKAGE_OWNERS.find((rule) => rule.pattern.test(bare));
  if (owner && !owner.layers.includes(from)) return owner.why;
  return undefined;
}

const show = (item: Import) => `src/${path.relative(SRC, item.file)}:${item.line} → '${item.specifier}'`;

describe('layers of src/ stay one-way', () => {
  const files = sourceFiles(SRC);
  const imports = files.flatMap(importsOf);

  it('reads every file and its imports (static, type-only, re-exports and dynamic)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(files.length);
    // The dynamic imports of the CLI's command list are seen too.
    expect(imports.some((item) => item.file.endsWith(path.join('cli', 'commands', 'index.ts')) && item.specifier === './adopt.js')).toBe(true);
  });

  it('every directory of src/ is a known layer', () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of layers) expect(Object.keys(MAY_IMPORT)).toContain(layer);
  });

  it('no import runs back up the layers, and each package stays in its layer', () => {
    const broken = imports.flatMap((item) => {
      const rule = violation(item);
      return rule ? [`${show(item)}: ${rule}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('the rules catch what they are for (an upward import, a shell importing the other, @actions/core in pure code)', () => {
    const at = (relative: string, specifier: string) => violation({ file: path.join(SRC, relative), line: 1, specifier });
    expect(at('migrations/discover.ts', '../db/connection.js')).toMatch(/migrations\/ may import only base, sql, migrations; db\/ is above it/);
    expect(at('db/up.ts', '../ops/backup.js')).toMatch(/db\/ may import only/);
    expect(at('lint/engine.ts', '../db/catalog.js')).toMatch(/lint\/ may import only/);
    expect(at('cli/main.ts', '../action/inputs.js')).toMatch(/the other shell/);
    expect(at('core/apply.ts', '@actions/core')).toMatch(/only the action touches @actions/);
    expect(at('ops/seeds.ts', 'pg')).toMatch(/only db\/ opens PostgreSQL connections/);
    expect(at('ops/adopt/run.ts', '../../db/session.js')).toBeUndefined();
    expect(at('action/main.ts', '@actions/core')).toBeUndefined();
  });
});
