/** `ddlgate init --workflows`: the callers written into .github/workflows/, pinned by SHA, ready to commit. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, runCli, tempDir } from '../helpers/pg.js';
import { EXAMPLES, listYaml, parserErrors, readText } from '../helpers/workflow-eval.js';

describe('ddlgate init --workflows', () => {
  it('writes the three callers, pinned like the examples, with the migrations directory set; GitHub\'s parser accepts them with the called workflows', async () => {
    const cwd = tempDir({ 'README.md': '# shop\n' });
    try {
      const r = await runCli(['init', '--workflows', '--dir', 'db/migrations'], { cwd });
      expect(r.code).toBe(0);
      const names = listYaml(EXAMPLES).map((f) => path.basename(f));
      expect(r.stdout.split('\n').filter((l) => l.startsWith('wrote '))).toEqual(names.map((n) => `wrote .github/workflows/${n}`));
      for (const name of names) {
        const written = readFileSync(path.join(cwd, '.github/workflows', name), 'utf8');
        const example = readText(`${EXAMPLES}/${name}`);
        expect(written).toBe(example.replace(/migrations-dir: migrations$/gm, 'migrations-dir: db/migrations').replace(/"migrations\/\*\*"/g, '"db/migrations/**"'));
        for (const m of written.matchAll(/uses: (ddlgate\/ddlgate\/\S+)(.*)$/gm)) {
          expect(m[1]).toMatch(/@[0-9a-f]{40}$/);
          expect(m[2]).toMatch(/^ # v\d+\.\d+\.\d+$/);
        }
        expect(await parserErrors(name, written)).toEqual([]);
      }
      expect(readFileSync(path.join(cwd, '.github/workflows/deploy-staging.yml'), 'utf8')).toContain('"db/migrations/**"');
    } finally {
      removeDir(cwd);
    }
  });

  it('keeps existing files unless --force, and says what to do without --workflows', async () => {
    const cwd = tempDir({ '.github/workflows/pr-migrations.yml': 'name: mine\n' });
    try {
      const kept = await runCli(['init', '--workflows'], { cwd });
      expect(kept.code).toBe(0);
      expect(kept.stderr).toContain('kept .github/workflows/pr-migrations.yml (exists; --force overwrites it)');
      expect(readFileSync(path.join(cwd, '.github/workflows/pr-migrations.yml'), 'utf8')).toBe('name: mine\n');
      expect(existsSync(path.join(cwd, '.github/workflows/deploy-production.yml'))).toBe(true);
      writeFileSync(path.join(cwd, 'x'), '');
      const forced = await runCli(['init', '--workflows', '--force'], { cwd });
      expect(forced.stdout).toContain('wrote .github/workflows/pr-migrations.yml');
      const none = await runCli(['init'], { cwd });
      expect(none.code).toBe(2);
      expect(none.stderr).toBe('ddlgate: init: nothing to do; pass --workflows to write the caller workflows into .github/workflows/\n');
      const bad = await runCli(['init', '--workflows', '--dir', '../x'], { cwd });
      expect(bad.code).toBe(2);
    } finally {
      removeDir(cwd);
    }
  });
});
