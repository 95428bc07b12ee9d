// npm test provisions its own real components (scripts/test-components.mjs): it must notice each missing
// one, and when it may not install, name the exact command.
// @ts-expect-error — a plain .mjs script without type declarations
import { findBrowser, installCommand, missingPackages, TEST_COMPONENTS } from '../../scripts/test-components.mjs';

describe('test components', () => {
  it('lists PostgreSQL 15 (server and client tools), the Pushgateway, cmark-gfm and Chromium', () => {
    expect(TEST_COMPONENTS.map((c: { debianPackage: string }) => c.debianPackage)).toEqual(['postgresql-15', 'postgresql-client-15', 'prometheus-pushgateway', 'cmark-gfm', 'chromium']);
  });

  it('finds each package whose files are not all present', () => {
    const present = new Set(['/usr/lib/postgresql/15/bin/postgres', '/usr/lib/postgresql/15/bin/initdb', '/usr/lib/postgresql/15/bin/pg_dump']);
    expect(missingPackages(TEST_COMPONENTS, (f: string) => present.has(f))).toEqual(['postgresql-client-15', 'prometheus-pushgateway', 'cmark-gfm', 'chromium']);
    expect(missingPackages(TEST_COMPONENTS, () => true)).toEqual([]);
    // Chromium is present when either browser is (GitHub's runners ship Google Chrome).
    const chrome = new Set([...present, '/usr/lib/postgresql/15/bin/psql', '/usr/lib/postgresql/15/bin/pg_restore', '/usr/bin/prometheus-pushgateway', '/usr/bin/cmark-gfm', '/usr/bin/google-chrome']);
    expect(missingPackages(TEST_COMPONENTS, (f: string) => chrome.has(f))).toEqual([]);
    expect(findBrowser((f: string) => chrome.has(f))).toBe('/usr/bin/google-chrome');
  });

  it('names the exact install command, with sudo when not root', () => {
    expect(installCommand(['prometheus-pushgateway'], false)).toBe('sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-pushgateway');
    expect(installCommand(['postgresql-15', 'prometheus-pushgateway'], true)).toBe('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 prometheus-pushgateway');
  });
});
