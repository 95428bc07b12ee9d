#!/usr/bin/env node
// Regenerates docs/img/pr-comment.png, the README's picture of the PR comment, from a real run:
// the example migrations plus one risky "pull request" migration, linted and dry-run (replay-base) on a
// throwaway PostgreSQL by the action's own steps (lib/action/steps.js), rendered by the comment renderer,
// turned into HTML the way GitHub renders comments (Debian's cmark-gfm with GitHub's extensions) and
// photographed by headless Chromium. Needs: npm run build, and `apt-get install cmark-gfm chromium`
// (or Google Chrome at /usr/bin/google-chrome); __tests__/integration/readme-screenshot.test.ts runs it.
// Usage: node scripts/readme-screenshot.mjs [out.png]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBrowser, installCommand, missingPackages, TEST_COMPONENTS } from './test-components.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'img', 'pr-comment.png'));
const lib = (file) => import(path.join(root, 'lib', file));
const { startEphemeralPostgres } = await lib('db/ephemeral.js');
const { loadParser } = await lib('sql/parser.js');
const { runDryRunCommand } = await lib('action/steps.js');
const { renderComment } = await lib('report/comment-markdown.js');
const { actionWording } = await lib('action/hints.js');

// The same components npm test provisions (scripts/test-components.mjs): Chromium, or the Google Chrome
// GitHub's runners ship.
const browser = findBrowser();
const missing = missingPackages(TEST_COMPONENTS.filter((c) => c.debianPackage === 'cmark-gfm' || c.debianPackage === 'chromium'));
if (missing.length || !browser) {
  console.error(`readme-screenshot needs ${missing.join(' and ')}: ${installCommand(missing, process.getuid?.() === 0)}`);
  process.exit(1);
}

const SHA = '4f2a9c1e7b3d5a6f8091a2b3c4d5e6f708192a3b';
const work = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-shot-'));
const dir = path.join(work, 'migrations');
cpSync(path.join(root, 'migrations-example'), dir, { recursive: true });
// The pull request: one migration with the mistakes the report is for.
const pr = '20260107090000_orders_region.up.sql';
writeFileSync(
  path.join(dir, pr),
  [
    '-- Migration: orders by region for the new dashboard',
    'CREATE INDEX orders_status_idx ON orders (status);',
    '',
    'ALTER TABLE orders ADD COLUMN region text NOT NULL;',
    '',
    'ALTER TABLE orders',
    "  ADD CONSTRAINT orders_total_positive CHECK (total_cents > 0);",
    '',
  ].join('\n'),
);
writeFileSync(path.join(dir, '20260107090000_orders_region.down.sql'), 'ALTER TABLE orders DROP COLUMN region;\nDROP INDEX orders_status_idx;\n');

await loadParser();
const server = await startEphemeralPostgres();
let markdown;
try {
  const changed = new Map(readdirSync(dir).filter((f) => f.startsWith('20260107090000')).map((f) => [`migrations/${f}`, 'added']));
  const env = {
    inputs: { command: 'dry-run', databaseUrl: server.url, protected: false, allowBreaking: false, replayBase: true, failOn: 'error', reviewWindowSeconds: 0, steps: 1 },
    run: { eventName: 'pull_request', owner: 'acme', repo: 'shop', serverUrl: 'https://github.com', workspace: work, pullRequest: { number: 42, headSha: SHA, fork: false } },
    dir,
    schema: 'ddlgate',
    config: {},
    changed,
    repoPath: (file) => path.relative(work, path.resolve(file)).split(path.sep).join('/'),
    log: () => {},
    sleep: async () => {},
  };
  const outcome = await runDryRunCommand(env);
  const model = actionWording(outcome.model);
  model.dir = 'migrations';
  for (const file of model.files) file.url = `https://github.com/acme/shop/blob/${SHA}/${file.path}`;
  model.runUrl = 'https://github.com/acme/shop/actions/runs/1';
  markdown = renderComment(model);
} finally {
  await server.stop();
}

// GitHub renders comments as GFM with its extensions; its sanitiser keeps <details>/<summary>.
const html = execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter', '-e', 'tasklist'], { input: markdown, encoding: 'utf8' });
const page = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#fff;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328}
.box{width:760px;margin:16px;border:1px solid #d1d9e0;border-radius:6px}
.head{background:#f6f8fa;border-bottom:1px solid #d1d9e0;padding:8px 16px;color:#59636e;border-radius:6px 6px 0 0}
.head b{color:#1f2328}.body{padding:16px}
h2{font-size:1.5em;border-bottom:1px solid #d1d9e0;padding-bottom:.3em;margin-top:0}h3{font-size:1.25em}
code{font:85% ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff1f3;border-radius:6px;padding:.2em .4em}
pre{background:#f6f8fa;border-radius:6px;padding:16px;overflow:auto}pre code{background:none;padding:0;font-size:85%}
a{color:#0969da;text-decoration:none}blockquote{margin:0;padding:0 1em;color:#59636e;border-left:.25em solid #d1d9e0}
details summary{cursor:pointer}
</style><div class="box"><div class="head"><b>github-actions</b> <span>bot</span> commented</div><div class="body">${html}</div></div>`;
const htmlFile = path.join(work, 'comment.html');
writeFileSync(htmlFile, page);
mkdirSync(path.dirname(out), { recursive: true });
const profile = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-chromium-'));
try {
  // Headless, offline: no GPU, no network services, a fresh profile.
  execFileSync(
    browser,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars', '--force-device-scale-factor=1', '--window-size=792,1500', `--screenshot=${out}`, `file://${htmlFile}`],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
  );
} finally {
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
console.log(`wrote ${path.relative(root, out)}`);
