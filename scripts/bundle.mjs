#!/usr/bin/env node
// Builds the action bundle: dist/index.js (ncc, ESM) plus libpg-query's .wasm, which ncc does not copy.
// Usage: node scripts/bundle.mjs [outDir] [--skip-tsc]
//   outDir defaults to dist/; the check-dist test builds into a temp dir with --skip-tsc, reusing the lib/
//   that `npm test` compiled just before, so it never rewrites lib/ under the CLI tests running beside it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const skipTsc = args.includes('--skip-tsc');
const outDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? path.join(root, 'dist'));
const require = createRequire(import.meta.url);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// ncc treats a .ts entry as CommonJS and then rejects ESM-only dependencies (@actions/core 3) and top-level
// await, so the sources are compiled by tsc first (ESM, package type module) and ncc bundles that output.
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!skipTsc) {
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    console.error('bundle: TypeScript compilation failed (errors above)');
    process.exit(1);
  }
}
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
execFileSync(process.execPath, [ncc, 'build', path.join(root, 'lib', 'action', 'index.js'), '-o', outDir, '--target', 'es2022', '--quiet', '--no-source-map-register'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});

// libpg-query's emscripten loader looks for its .wasm next to `__dirname`, which an ESM bundle lacks:
// define it (as the bundle's own directory) before any bundled module runs.
const entry = path.join(outDir, 'index.js');
const banner = "import { fileURLToPath as __ddlgateFileUrlToPath } from 'node:url';\nimport { dirname as __ddlgateDirname } from 'node:path';\nglobalThis.__filename = __ddlgateFileUrlToPath(import.meta.url);\nglobalThis.__dirname = __ddlgateDirname(globalThis.__filename);\n";
writeFileSync(entry, banner + readFileSync(entry, 'utf8'));

const wasm = path.join(path.dirname(require.resolve('libpg-query')), 'libpg-query.wasm');
copyFileSync(wasm, path.join(outDir, 'libpg-query.wasm'));
// ncc writes a package.json marking the output as ESM only when it detects ESM; make it explicit.
writeFileSync(path.join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
const files = readdirSync(outDir).sort();
if (!existsSync(path.join(outDir, 'index.js'))) throw new Error('bundle failed: no index.js');
process.stdout.write(`bundled ${files.join(', ')} into ${path.relative(root, outDir) || '.'}\n`);
