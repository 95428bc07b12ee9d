/**
 * Repository paths as GitHub names them (the PR's file list, annotations, blob links), taken from git
 * itself: the work tree that holds the migrations directory is the repository root, wherever
 * actions/checkout put it (`path: app`, a sub-directory, a second repository). Without git (a plain
 * directory) paths fall back to the workspace, as before.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface RepoPaths {
  /** Absolute, real path of the repository root (or the workspace when git does not know the directory). */
  root: string;
  /** True when `root` came from git. */
  fromGit: boolean;
  /** The commit checked out there (HEAD), when git knows it. */
  head?: string;
  /** A file's path inside the repository, with forward slashes. */
  of(file: string): string;
}

/** git with the runner's typical ownership mismatch (a container as root, a checkout as runner) allowed for this call. */
function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-c', 'safe.directory=*', '-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // A file that does not exist (yet): resolve its nearest existing parent so symlinked temp dirs still match.
    const parent = path.dirname(file);
    return parent === file ? file : path.join(real(parent), path.basename(file));
  }
}

/** The work tree's root and its HEAD commit in one git call (each spawn is tens of ms of the action's start). */
function gitTopAndHead(cwd: string): { top?: string; head?: string } {
  const [top, head] = (git(cwd, ['rev-parse', '--show-toplevel', 'HEAD']) ?? '').split('\n');
  if (top && head && /^[0-9a-f]{40,64}$/.test(head)) return { top, head };
  // No commit yet (HEAD unborn) makes the pair fail: the root alone.
  const alone = git(cwd, ['rev-parse', '--show-toplevel']);
  return alone ? { top: alone } : {};
}

export function repoPaths(dir: string, workspace: string): RepoPaths {
  const absDir = path.resolve(workspace, dir);
  const probe = existsSync(absDir) ? absDir : workspace;
  const { top, head } = existsSync(probe) ? gitTopAndHead(probe) : {};
  const root = real(top || workspace);
  return {
    root,
    fromGit: Boolean(top),
    ...(head ? { head } : {}),
    of(file: string): string {
      const relative = path.relative(root, real(path.resolve(workspace, file)));
      return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
    },
  };
}

/**
 * Migration files the pull request adds or changes (GitHub's list) under the migrations directory that
 * are not on disk: the checkout is not the PR's head (another ref, a sparse checkout, a wrong
 * migrations-dir). Linting what is there would call a dangerous PR safe.
 */
export function missingFromCheckout(changed: ReadonlyMap<string, string>, dirRepoPath: string, paths: RepoPaths): string[] {
  const prefix = dirRepoPath === '' || dirRepoPath === '.' ? '' : `${dirRepoPath.replace(/\/+$/, '')}/`;
  const missing: string[] = [];
  for (const file of changed.keys()) {
    if (!file.startsWith(prefix) || !/\.sql$/i.test(file)) continue;
    if (!existsSync(path.join(paths.root, ...file.split('/')))) missing.push(file);
  }
  return missing.sort();
}
