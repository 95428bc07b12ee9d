// The npm package as users get it: `npm pack`, installed into an empty directory outside the repository
// (so no node_modules of ours is reachable), then `ddlgate --help`, `lint` (the parser's wasm must be in
// the package's dependency tree) and `up` against a real database URL.
//
// The install is offline: every dependency is already in npm's cache from the `npm ci` that preceded
// `npm test`, and tests never reach the internet.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, removeDir, useTestDatabase } from '../helpers/pg.js';

const db = useTestDatabase();
let work: string;
let bin: string;

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

function ddlgate(args: string[], env: Record<string, string> = {}) {
  // A clean environment apart from PATH: nothing of the repository's (NODE_OPTIONS, NODE_PATH) leaks in.
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A lockfile for the consumer: the repository's own lock minus its dev-only packages, with ddlgate
 * itself resolved to the packed tarball. `npm ci --offline` then installs exactly the production tree
 * from npm's cache by integrity (a plain `npm install --offline` would need registry metadata, which
 * `npm ci` never caches).
 */
function consumerLock(tarballName: string, integrity: string) {
  const repoLock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { ddlgate: `file:${tarballName}` } },
    'node_modules/ddlgate': {
      version: manifest.version,
      resolved: `file:${tarballName}`,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [location, entry] of Object.entries<any>(repoLock.packages)) {
    if (location === '' || entry.dev || entry.link) continue;
    packages[location] = entry;
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-pack-'));
  // --ignore-scripts: `prepare` would recompile lib/ under the CLI tests running beside this one;
  // npm test compiled it just before jest started.
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT));
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { ddlgate: `file:${packed.filename}` } }));
  writeFileSync(path.join(work, 'package-lock.json'), JSON.stringify(consumerLock(packed.filename, packed.integrity)));
  npm(['ci', '--offline', '--ignore-scripts'], work);
  bin = path.join(work, 'node_modules', 'ddlgate', 'bin', 'ddlgate.js');
}, 180_000);

afterAll(() => removeDir(work));

describe('the packed npm package, installed into an empty directory', () => {
  it('contains the CLI and no tests, sources or bundle', () => {
    const installed = readdirSync(path.join(work, 'node_modules', 'ddlgate')).sort();
    expect(installed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'bin', 'lib', 'package.json']));
    for (const absent of ['src', '__tests__', 'dist', 'bench', 'node_modules']) expect(installed).not.toContain(absent);
    expect(readdirSync(path.join(work, 'node_modules', '.bin'))).toContain('ddlgate');
  });

  it('runs --help', () => {
    const help = ddlgate(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: ddlgate/);
    expect(help.stdout).toMatch(/lint/);
  });

  it('lints with the bundled parser wasm and reports a blocking finding', () => {
    const dir = path.join(work, 'migrations');
    mkdirSync(dir);
    // orders is not created in this directory: an existing table, so the plain index build blocks writes.
    writeFileSync(path.join(dir, '1_orders_index.up.sql'), 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n');
    const lint = ddlgate(['lint', '--dir', dir, '--format', 'json']);
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(1);
    const report = JSON.parse(lint.stdout);
    expect(report.files).toHaveLength(1);
    expect(report.files[0].findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'create-index-not-concurrently', severity: 'error', line: 1 })]));
  });

  it('applies migrations to a database URL and reports them applied', async () => {
    const url = await db.createDatabase('packed');
    const dir = path.join(work, 'apply');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '1_accounts.up.sql'), 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n');
    const up = ddlgate(['up', '--dir', dir], { DATABASE_URL: url });
    expect(up.stderr).not.toMatch(/error|warn/i);
    expect(up.code).toBe(0);
    const rows = await db.query(url, 'SELECT version FROM ddlgate.schema_migrations');
    expect(rows.map((r) => r.version)).toEqual(['1']);
    const status = ddlgate(['status', '--dir', dir, '--format', 'json'], { DATABASE_URL: url });
    expect(JSON.parse(status.stdout).migrations[0].state).toBe('applied');
  });
});
