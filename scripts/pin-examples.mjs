#!/usr/bin/env node
// Rewrites every reference to ddlgate's own reusable workflows in the caller examples and the docs to
// one release commit:  ddlgate/ddlgate/.github/workflows/<file>@<40-hex sha> # vX.Y.Z
//
//   node scripts/pin-examples.mjs <full sha> <vX.Y.Z>     rewrite
//   node scripts/pin-examples.mjs --check                 verify (also run by the unit tests)
//
// The release procedure (docs/workflows.md, "Releases and pins"): tag vX.Y.Z on a commit of main, then
// run this script with that commit and tag and land the result. A commit cannot name its own SHA, so
// the examples always pin an earlier commit — the last release — never a branch or a movable tag.
// --check verifies that the commit exists in this repository's history, holds every workflow the
// examples call, and — once the tag exists — that the tag points at it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OWN = 'ddlgate/ddlgate';
export const REFERENCE = /ddlgate\/ddlgate\/(\.github\/workflows\/[\w.-]+\.ya?ml)@([^\s#]+)(?:[ \t]+#[ \t]*(\S+))?/g;

export function pinnedFiles() {
  const examples = readdirSync(path.join(root, 'docs/examples/workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `docs/examples/workflows/${f}`);
  return [...examples, 'docs/workflows.md', 'README.md'];
}

/** Every reference in the pinned files: { file, line, workflow, ref, version }. */
export function references() {
  const found = [];
  for (const file of pinnedFiles()) {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(REFERENCE)) found.push({ file, line: i + 1, workflow: m[1], ref: m[2], version: m[3] ?? null });
    });
  }
  return found;
}

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Problems with the pins (empty when honest). */
export function checkPins() {
  const problems = [];
  const refs = references();
  if (refs.length === 0) problems.push('no reference to ddlgate/ddlgate/.github/workflows/… found in the examples');
  for (const r of refs) {
    if (!/^[0-9a-f]{40}$/.test(r.ref)) problems.push(`${r.file}:${r.line}: ${r.workflow}@${r.ref} is not a full commit SHA`);
    if (!r.version || !/^v\d+\.\d+\.\d+$/.test(r.version)) problems.push(`${r.file}:${r.line}: no "# vX.Y.Z" version comment after the SHA`);
  }
  const pins = new Set(refs.map((r) => `${r.ref} ${r.version}`));
  if (pins.size > 1) problems.push(`the examples pin different commits: ${[...pins].join(', ')}`);
  if (problems.length) return problems;
  const [sha, version] = [...pins][0].split(' ');
  try {
    if (git('cat-file', '-t', sha) !== 'commit') problems.push(`${sha} is not a commit`);
  } catch {
    return [`${sha} is not a commit of this repository (a clone with full history is needed: fetch-depth 0)`];
  }
  for (const workflow of new Set(refs.map((r) => r.workflow))) {
    try {
      git('cat-file', '-e', `${sha}:${workflow}`);
    } catch {
      problems.push(`${workflow} does not exist at ${sha}`);
    }
  }
  let tagged = '';
  try {
    tagged = git('rev-parse', '--verify', '--quiet', `refs/tags/${version}^{commit}`);
  } catch {
    // Not released yet: the tag is made on this commit at release time.
  }
  if (tagged && tagged !== sha) problems.push(`tag ${version} points at ${tagged}, the examples pin ${sha}`);
  return problems;
}

export function pin(sha, version) {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`"${sha}" is not a full 40-character commit SHA`);
  if (!/^v\d+\.\d+\.\d+$/.test(version)) throw new Error(`"${version}" is not vX.Y.Z`);
  for (const file of pinnedFiles()) {
    const full = path.join(root, file);
    const text = readFileSync(full, 'utf8');
    const next = text.replace(REFERENCE, (_, workflow) => `${OWN}/${workflow}@${sha} # ${version}`);
    if (next !== text) writeFileSync(full, next);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--check') {
    const problems = checkPins();
    for (const p of problems) process.stderr.write(`pin-examples: ${p}\n`);
    process.exit(problems.length ? 1 : 0);
  }
  if (args.length !== 2) {
    process.stderr.write('usage: node scripts/pin-examples.mjs <full sha> <vX.Y.Z> | --check\n');
    process.exit(2);
  }
  pin(args[0], args[1]);
  process.stdout.write(`pinned ${OWN} workflows to ${args[0]} # ${args[1]}\n`);
}
