// scripts/readme-screenshot.mjs makes the README's picture of the PR comment (docs/img/pr-comment.png):
// a real dry-run of a risky pull request on a throwaway PostgreSQL, the comment rendered as GitHub does
// (cmark-gfm) and photographed by headless Chromium. Run here into a temporary file: it must produce a real
// PNG of the comment's size with content in it, not a blank page. It starts its own embedded PostgreSQL 18,
// so it runs in the pg18 project only; cmark-gfm and Chromium come from scripts/test-components.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/pg.js';

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian), after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('readme-screenshot.mjs writes a PNG of the rendered comment', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddlgate-shot-test-'));
  const out = path.join(dir, 'comment.png');
  try {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'readme-screenshot.mjs'), out], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 170_000 });
    expect(run.stderr).not.toMatch(/not installed|needs|Error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('wrote');
    // The page is 792 px wide (the comment column plus margins) and as tall as the window it is shot in.
    expect(pngSize(out)).toEqual({ width: 792, height: 1500 });
    // A blank or nearly blank page of that size compresses to a few kB; the rendered comment (text, code
    // blocks, boxes) to well over 60 kB.
    expect(statSync(out).size).toBeGreaterThan(60_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
