#!/usr/bin/env node
// Regenerates docs/rules.md from the rules in src/lint/rules/ (compiled to lib/ by `npm run build`).
// `--check` exits 1 when the file is stale instead of writing it. The unit tests check it too.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'lib', 'lint', 'docs.js');
if (!existsSync(compiled)) {
  process.stderr.write('gen-rules-doc: lib/ is missing; run `npm run build` first\n');
  process.exit(2);
}
const { renderRulesDoc } = await import(pathToFileURL(compiled).href);
const target = path.join(root, 'docs', 'rules.md');
const expected = renderRulesDoc();
if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== expected) {
    process.stderr.write('docs/rules.md is stale: run `npm run build && node scripts/gen-rules-doc.mjs`\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, expected);
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
