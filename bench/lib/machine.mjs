// What the numbers were measured on: they mean little without the machine and the versions beside them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE, ROOT } from './paths.mjs';

export function machineInfo() {
  const cpus = os.cpus();
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length;
  return {
    cpu: `${(cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim()}, ${cores} cores visible`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}

/** First line of a command's output, or why there is none (a missing tool must not stop the report). */
function firstLine(file, args) {
  try {
    return execFileSync(file, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch {
    return 'not found';
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

export function versions({ squawkBin, psql, serverVersion, serverSource }) {
  const own = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  const commit = firstLine('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = firstLine('git', ['status', '--porcelain', '--untracked-files=no']);
  const server = serverVersion === 'not started' ? 'server not started (no benchmark needed one)' : `${serverVersion} server (${serverSource})`;
  return {
    node: process.version,
    ddlgate: `${own} (git ${commit}${dirty && dirty !== 'not found' ? ', with uncommitted changes' : ''})`,
    squawk: squawkBin ? firstLine(NODE, [squawkBin, '--version']) : 'not found',
    'node-pg-migrate': packageVersion('node-pg-migrate'),
    postgrator: packageVersion('postgrator'),
    PostgreSQL: `${server}; ${psql ? `${firstLine(psql, ['--version'])} client` : 'no psql client'}`,
  };
}
