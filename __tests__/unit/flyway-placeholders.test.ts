/**
 * Flyway `${name}` placeholders: every place a value may come from, in order of strength, and the one-line
 * refusal (file, line, placeholder, every way to give it) when none does — Flyway itself refuses such a file.
 */
import { validateConfig } from '../../src/config.js';
import { readInputs } from '../../src/action/inputs.js';
import { readMigrationSet } from '../../src/migrations/discover.js';
import { flywayPlaceholders, parsePlaceholderAssignments } from '../../src/migrations/placeholders.js';
import { loadMigration } from '../../src/migrations/script.js';
import { loadParser } from '../../src/sql/parser.js';
import { removeDir, tempDir } from '../helpers/pg.js';

beforeAll(async () => {
  await loadParser();
});

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = tempDir(files);
  try {
    body(dir);
  } finally {
    removeDir(dir);
  }
}

describe('where a placeholder value comes from', () => {
  it('flyway.conf < FLYWAY_PLACEHOLDERS_* < ddlgate\'s own (ddlgate.json, --placeholder, the action input); names are case-insensitive', () => {
    withDir({ 'flyway.conf': 'flyway.placeholders.schema=from_conf\nflyway.placeholders.owner=conf_owner\nflyway.placeholders.Tier=gold\n' }, (dir) => {
      expect(flywayPlaceholders(dir, {}, {})).toEqual({ schema: 'from_conf', owner: 'conf_owner', tier: 'gold' });
      const env = { FLYWAY_PLACEHOLDERS_SCHEMA: 'from_env', FLYWAY_PLACEHOLDERS_OWNER: 'env_owner' };
      expect(flywayPlaceholders(dir, {}, env)).toEqual({ schema: 'from_env', owner: 'env_owner', tier: 'gold' });
      expect(flywayPlaceholders(dir, { Schema: 'given' }, env)).toEqual({ schema: 'given', owner: 'env_owner', tier: 'gold' });
    });
  });

  it('reads name=value settings and refuses anything else naming the setting', () => {
    expect(parsePlaceholderAssignments(['ohdsiSchema=webapi', 'empty=', 'url=a=b'], '--placeholder')).toEqual({ ohdsiSchema: 'webapi', empty: '', url: 'a=b' });
    expect(() => parsePlaceholderAssignments(['ohdsiSchema'], '--placeholder')).toThrow(/^--placeholder: "ohdsiSchema" is not name=value \(e\.g\. ohdsiSchema=webapi\)$/);
    expect(() => parsePlaceholderAssignments(['=x'], 'input "placeholders"')).toThrow(/^input "placeholders": "=x" is not name=value/);
  });

  it('ddlgate.json "placeholders" must map names to strings', () => {
    expect(validateConfig({ placeholders: { ohdsiSchema: 'webapi' } }, 'ddlgate.json')).toEqual({ placeholders: { ohdsiSchema: 'webapi' } });
    expect(() => validateConfig({ placeholders: { ohdsiSchema: 1 } }, 'ddlgate.json')).toThrow(/^ddlgate\.json: "placeholders" must be an object of name → string value, got \{"ohdsiSchema":1\}$/);
  });

  it('the action input "placeholders": one name=value per line, blank lines skipped', () => {
    const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';
    expect(readInputs(reader({ command: 'lint', placeholders: 'ohdsiSchema=webapi\n\n  owner=app  \n' })).placeholders).toEqual({ ohdsiSchema: 'webapi', owner: 'app' });
    expect(readInputs(reader({ command: 'lint' })).placeholders).toBeUndefined();
    expect(() => readInputs(reader({ command: 'lint', placeholders: 'ohdsiSchema' }))).toThrow(/^input "placeholders": "ohdsiSchema" is not name=value/);
  });
});

describe('replacing placeholders in a Flyway migration', () => {
  const files = { 'V1__a.sql': 'SELECT 1;\nCREATE SCHEMA ${ohdsiSchema};\nCREATE TABLE ${ohdsiSchema}.t (f text DEFAULT \'${flyway:filename}\');\n' };

  it('uses the values given to the read', () => {
    withDir(files, (dir) => {
      const set = readMigrationSet(dir, { placeholders: { ohdsiSchema: 'webapi' } });
      expect(loadMigration(set.entries[0]!).up.statements.map((s) => s.sql)).toEqual([
        'SELECT 1',
        'CREATE SCHEMA webapi',
        "CREATE TABLE webapi.t (f text DEFAULT 'V1__a.sql')",
      ]);
    });
  });

  it('a placeholder without a value is one line naming the file, the line, the placeholder and every way to give it', () => {
    withDir(files, (dir) => {
      const set = readMigrationSet(dir);
      let message = '';
      try {
        loadMigration(set.entries[0]!);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toContain('\n');
      expect(message).toMatch(/V1__a\.sql:2: no value for Flyway placeholder \$\{ohdsiSchema\} \(Flyway refuses it too\); give it with /);
      for (const way of ['--placeholder ohdsiSchema=<value>', '"placeholders": {"ohdsiSchema": "<value>"} in ddlgate.json', 'action input placeholders', 'FLYWAY_PLACEHOLDERS_OHDSISCHEMA', 'flyway.placeholders.ohdsiSchema=<value> in flyway.conf']) {
        expect(message).toContain(way);
      }
    });
  });
});
