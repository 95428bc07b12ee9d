import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/pg.js';

// dist/ is the product: the action runs the committed dist/index.js. A fresh build from the current
// sources (lib/, compiled by `npm test` just before jest) must be identical to what is committed.
describe('committed dist/', () => {
  it('matches a fresh bundle of the sources', () => {
    const out = tempDir();
    try {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'bundle.mjs'), out, '--skip-tsc'], { cwd: REPO_ROOT, stdio: 'pipe' });
      const committed = path.join(REPO_ROOT, 'dist');
      expect(existsSync(path.join(committed, 'index.js'))).toBe(true);
      expect(readdirSync(committed).sort()).toEqual(readdirSync(out).sort());
      for (const file of readdirSync(out)) {
        const same = readFileSync(path.join(out, file)).equals(readFileSync(path.join(committed, file)));
        if (!same) throw new Error(`dist/${file} is stale: run \`npm run bundle\` and commit dist/`);
      }
    } finally {
      removeDir(out);
    }
  }, 120_000);

  it('ships the parser wasm next to the entry and runs without node_modules', () => {
    const isolated = tempDir();
    try {
      for (const file of readdirSync(path.join(REPO_ROOT, 'dist'))) {
        execFileSync('cp', [path.join(REPO_ROOT, 'dist', file), path.join(isolated, file)]);
      }
      const stat = readFileSync(path.join(isolated, 'libpg-query.wasm'));
      expect(stat.subarray(0, 4).toString('hex')).toBe('0061736d');
      // With no inputs the action must fail cleanly on input validation, not on a missing module or wasm.
      let output = '';
      try {
        output = execFileSync(process.execPath, [path.join(isolated, 'index.js')], { cwd: isolated, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      expect(output).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND|no such file.*\.wasm|__dirname is not defined/i);
    } finally {
      removeDir(isolated);
    }
  });
});
