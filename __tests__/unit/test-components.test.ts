// npm test provisions its own real components (scripts/test-components.mjs): it must notice each missing
// one, and when it may not install, name the exact command.
// @ts-expect-error — a plain .mjs script without type declarations
import { installCommand, missingPackages, TEST_COMPONENTS } from '../../scripts/test-components.mjs';

describe('test components', () => {
  it('lists PostgreSQL 15 (server and client tools) and the Pushgateway', () => {
    expect(TEST_COMPONENTS.map((c: { debianPackage: string }) => c.debianPackage)).toEqual(['postgresql-15', 'postgresql-client-15', 'prometheus-pushgateway']);
  });

  it('finds each package whose files are not all present', () => {
    const present = new Set(['/usr/lib/postgresql/15/bin/postgres', '/usr/lib/postgresql/15/bin/initdb', '/usr/lib/postgresql/15/bin/pg_dump']);
    expect(missingPackages(TEST_COMPONENTS, (f: string) => present.has(f))).toEqual(['postgresql-client-15', 'prometheus-pushgateway']);
    expect(missingPackages(TEST_COMPONENTS, () => true)).toEqual([]);
  });

  it('names the exact install command, with sudo when not root', () => {
    expect(installCommand(['prometheus-pushgateway'], false)).toBe('sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-pushgateway');
    expect(installCommand(['postgresql-15', 'prometheus-pushgateway'], true)).toBe('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 prometheus-pushgateway');
  });
});
