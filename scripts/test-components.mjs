// The real components the test suite runs against, beyond what `npm ci` installs: Debian's
// PostgreSQL 15 server and client tools (the second major every integration test runs on, and the
// pg_dump/pg_restore of the backup tests), a real Prometheus Pushgateway, and what renders markdown as
// GitHub does and photographs it (Debian's cmark-gfm and headless Chromium: the report rendering tests and
// scripts/readme-screenshot.mjs).
//
// `npm test` calls ensureTestComponents() before any test runs. A missing component is installed
// when this process may install packages (root, with apt-get); otherwise the run stops with one line
// naming the exact command. A test is never skipped or softened because a component is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TEST_COMPONENTS = [
  {
    debianPackage: 'postgresql-15',
    files: ['/usr/lib/postgresql/15/bin/postgres', '/usr/lib/postgresql/15/bin/initdb'],
  },
  {
    debianPackage: 'postgresql-client-15',
    files: ['/usr/lib/postgresql/15/bin/pg_dump', '/usr/lib/postgresql/15/bin/pg_restore', '/usr/lib/postgresql/15/bin/psql'],
  },
  {
    debianPackage: 'prometheus-pushgateway',
    files: ['/usr/bin/prometheus-pushgateway'],
  },
  {
    debianPackage: 'cmark-gfm',
    files: ['/usr/bin/cmark-gfm'],
  },
  {
    // Debian's Chromium, or the Google Chrome GitHub's Ubuntu runners ship (Ubuntu's chromium is a snap).
    debianPackage: 'chromium',
    anyOf: ['/usr/bin/chromium', '/usr/bin/google-chrome'],
  },
];

/** The headless browser on this machine (scripts/readme-screenshot.mjs), or undefined. */
export function findBrowser(exists = existsSync) {
  return TEST_COMPONENTS.find((c) => c.debianPackage === 'chromium').anyOf.find((file) => exists(file));
}

/** The Debian packages whose files are not all on this machine. */
export function missingPackages(components = TEST_COMPONENTS, exists = existsSync) {
  const present = (c) => (c.anyOf ? c.anyOf.some((f) => exists(f)) : c.files.every((f) => exists(f)));
  return components.filter((c) => !present(c)).map((c) => c.debianPackage);
}

/** The one command that installs the given packages, as a user would type it. */
export function installCommand(packages, asRoot) {
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

function mayInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * Returns null when every component is present (installing what is missing when allowed), else the
 * one line to print before stopping.
 */
export function ensureTestComponents({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const missing = missingPackages();
  if (missing.length === 0) return null;
  if (!mayInstall()) {
    return `npm test needs ${missing.join(', ')} (real components, never mocked); install them with: ${installCommand(missing, false)}`;
  }
  log(`npm test: installing ${missing.join(', ')} from Debian (needed by the integration tests)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = update.status === 0
    ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env })
    : update;
  const stillMissing = missingPackages();
  if (install.status !== 0 || stillMissing.length > 0) {
    return `npm test could not install ${stillMissing.join(', ') || missing.join(', ')} (apt-get exit ${install.status}); run: ${installCommand(stillMissing.length ? stillMissing : missing, true)}`;
  }
  return null;
}
