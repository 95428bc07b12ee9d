import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readMigrationSet, resolveLayout } from '../../src/migrations/discover.js';
import { loadMigration } from '../../src/migrations/script.js';
import { compareVersions } from '../../src/migrations/version.js';
import { resolveTargetVersion } from '../../src/db/status.js';
import { loadParser } from '../../src/sql/parser.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/pg.js';

// Every fixture under __tests__/fixtures/layouts/<tool> is written by us in that tool's own format.
const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'layouts');

beforeAll(async () => {
  await loadParser();
});

function withDir<T>(files: Record<string, string>, body: (dir: string) => T): T {
  const dir = tempDir(files);
  try {
    return body(dir);
  } finally {
    removeDir(dir);
  }
}

const upSql = (entry: Parameters<typeof loadMigration>[0]) => loadMigration(entry).up.statements.map((s) => s.sql.split('\n')[0]);
const downSql = (entry: Parameters<typeof loadMigration>[0]) => loadMigration(entry).loadDown()?.statements.map((s) => s.sql.split('\n')[0]);

describe('detection of every tool\'s folder, unaided', () => {
  it.each([
    ['goose', 'goose', 3],
    ['sql-migrate', 'sql-migrate', 3],
    ['diesel', 'diesel', 4],
    ['prisma', 'prisma', 3],
    ['supabase', 'supabase', 3],
    ['sqitch', 'sqitch', 3],
    ['popx', 'popx', 3],
    ['graphile-migrate', 'graphile-migrate', 3],
    ['hasura', 'hasura', 3],
  ])('reads the %s fixture as %s (%i migrations)', (fixture, layout, count) => {
    const set = readMigrationSet(path.join(FIXTURES, fixture));
    expect(set.layout).toBe(layout);
    expect(set.entries).toHaveLength(count);
    expect(resolveLayout(path.join(FIXTURES, fixture))).toBe(layout);
    // Every migration of every fixture compiles (the runner would accept it).
    for (const entry of set.entries) expect(loadMigration(entry).up.statements.length).toBeGreaterThan(0);
  });
});

describe('goose', () => {
  it('runs only the Up section; the Down section is the down; NO TRANSACTION and StatementBegin/End', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'goose'));
    const [users, index, orders] = set.entries;
    expect(upSql(users!)).toEqual(['CREATE TABLE users (']);
    expect(downSql(users!)).toEqual(['DROP TABLE users']);
    expect(loadMigration(users!).up.transactional).toBe(true);
    expect(loadMigration(index!).up.transactional).toBe(false);
    expect(loadMigration(index!).loadDown()!.transactional).toBe(false);
    // The function body between StatementBegin/End is one statement, on the file's own lines.
    expect(loadMigration(orders!).up.statements.map((s) => [s.line, s.sql.split(' ')[0]])).toEqual([
      [2, 'CREATE'],
      [9, 'CREATE'],
    ]);
  });

  it('lists a Go migration in order and refuses to run it, naming it', () => {
    withDir(
      {
        '00001_create_users.sql': '-- +goose Up\nCREATE TABLE users (id int);\n',
        '00002_backfill.go': 'package migrations\n',
        '00003_add_email.sql': '-- +goose Up\nALTER TABLE users ADD COLUMN email text;\n',
        'helpers_test.go': 'package migrations\n',
      },
      (dir) => {
        const set = readMigrationSet(dir);
        expect(set.layout).toBe('goose');
        expect(set.entries.map((e) => e.version)).toEqual(['00001', '00002', '00003']);
        expect(set.notices.join('\n')).toMatch(/1 goose Go migration listed but not runnable by ddlgate: 00002_backfill\.go/);
        expect(() => loadMigration(set.entries[1]!)).toThrow(/00002_backfill\.go is a goose Go migration; ddlgate cannot run Go code/);
      },
    );
  });
});

describe('an empty down section in goose and sql-migrate', () => {
  it('is a no-op down (the tool runs it and rollback goes through); no Down marker at all is no down', () => {
    withDir(
      {
        '1_a.sql': '-- +migrate Up notransaction\nALTER TYPE t ADD VALUE \'x\';\n\n-- +migrate Down\n',
        '2_b.sql': '-- +migrate Up\nSELECT 1;\n-- +migrate Down\n-- cannot be undone\n',
        '3_c.sql': '-- +migrate Up\nSELECT 1;\n',
      },
      (dir) => {
        const set = readMigrationSet(dir);
        expect(set.entries.map((e) => [e.version, Boolean(e.downSource)])).toEqual([['1', true], ['2', true], ['3', false]]);
        expect(downSql(set.entries[0]!)).toEqual([]);
        expect(downSql(set.entries[1]!)).toEqual([]);
      },
    );
    withDir({ '1_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\n' }, (dir) => {
      expect(downSql(readMigrationSet(dir).entries[0]!)).toEqual([]);
    });
  });
});

describe('sql-migrate', () => {
  it('reads sections, notransaction on the Up line, and <number>-<name>.sql names', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'sql-migrate'));
    expect(set.entries.map((e) => [e.version, e.name])).toEqual([
      ['20240101120000', 'create-users'],
      ['20240102120000', 'add-users-email-index'],
      ['20240103120000', 'create-orders'],
    ]);
    expect(loadMigration(set.entries[1]!).up.transactional).toBe(false);
    expect(loadMigration(set.entries[1]!).loadDown()!.transactional).toBe(true);
    expect(downSql(set.entries[2]!)).toEqual(['DROP FUNCTION orders_total(bigint)', 'DROP TABLE orders']);
  });
});

describe('sql-migrate: files sharing a number', () => {
  // sql-migrate keys migrations by file name, so 0005-a.sql and 0005-b.sql are two migrations of version 0005,
  // run in name order. ddlgate tracks each under its own key and still shows the tool's version.
  const files = {
    '0004-base.sql': '-- +migrate Up\nCREATE TABLE base (id int);\n',
    '0005-import-b.sql': '-- +migrate Up\nCREATE TABLE b (id int);\n',
    '0005-import-a.sql': '-- +migrate Up\nCREATE TABLE a (id int);\n',
    '0005-import-c.sql': '-- +migrate Up\nCREATE TABLE c (id int);\n',
    '0006-after.sql': '-- +migrate Up\nCREATE TABLE after (id int);\n',
  };

  it('keeps the tool\'s version on each file, orders them by name, keys the later ones apart, and says so once', () => {
    withDir(files, (dir) => {
      const set = readMigrationSet(dir, { layout: 'sql-migrate' });
      expect(set.entries.map((e) => [e.version, e.toolVersion, e.name])).toEqual([
        ['0004', undefined, 'base'],
        ['0005', '0005', 'import-a'],
        ['0005.1', '0005', 'import-b'],
        ['0005.2', '0005', 'import-c'],
        ['0006', undefined, 'after'],
      ]);
      expect(set.notices).toEqual([expect.stringMatching(/^files sharing a number are told apart by name, as sql-migrate does: 0005-import-b\.sql → 0005\.1, 0005-import-c\.sql → 0005\.2$/)]);
    });
  });

  it('--to the shared number means the last file of that number; --to a key means that file', () => {
    withDir(files, (dir) => {
      const { entries } = readMigrationSet(dir, { layout: 'sql-migrate' });
      expect(resolveTargetVersion(entries, '5')).toBe('0005.2');
      expect(resolveTargetVersion(entries, '0005.1')).toBe('0005.1');
      expect(resolveTargetVersion(entries, '4')).toBe('0004');
      expect(resolveTargetVersion(entries, '7')).toBeUndefined();
    });
  });
});

describe('diesel', () => {
  it('versions without dashes, run_in_transaction = false, a comment-only down is no down, a loose file is skipped with one notice', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'diesel'));
    expect(set.entries.map((e) => [e.version, e.name, Boolean(e.downSource)])).toEqual([
      ['00000000000000', 'diesel_initial_setup', true],
      ['20240101120000', 'create_users', true],
      ['20240102120000', 'add_users_email_index', true],
      ['20240103120000', 'create_orders', false],
    ]);
    expect(loadMigration(set.entries[2]!).up.transactional).toBe(false);
    expect(set.notices).toEqual([expect.stringMatching(/^ignored 1 file \(diesel reads only <version>_<name>\/up\.sql\): .*seed_demo_data\.sql$/)]);
  });
});

describe('prisma', () => {
  it('reads <ts>_<name>/migration.sql and refuses a lock file for another database', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'prisma'));
    expect(set.entries.map((e) => [e.version, e.name, path.basename(e.upPath)])).toEqual([
      ['20240101120000', 'create_users', 'migration.sql'],
      ['20240102120000', 'add_users_email_index', 'migration.sql'],
      ['20240103120000', 'create_orders', 'migration.sql'],
    ]);
    withDir({ 'migration_lock.toml': 'provider = "mysql"\n', '20240101120000_a/migration.sql': 'SELECT 1;\n' }, (dir) => {
      expect(() => readMigrationSet(dir)).toThrow(/migration_lock\.toml: provider "mysql"; these migrations are for another database/);
    });
  });
});

describe('supabase', () => {
  it('skips names the CLI skips, with one notice', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'supabase'));
    expect(set.entries.map((e) => e.name)).toEqual(['create_users', 'add_users_email_index', 'create_orders']);
    expect(set.notices).toEqual([expect.stringMatching(/ignored 1 file .*local_20240104120000_dev_seed\.sql/)]);
  });
});

describe('sqitch', () => {
  it('follows the plan, strips the scripts\' own BEGIN/COMMIT, pairs revert scripts', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'sqitch'));
    expect(set.entries.map((e) => [e.version, e.name, Boolean(e.downSource)])).toEqual([
      ['1', 'users', true],
      ['2', 'users_email_index', true],
      ['3', 'orders', true],
    ]);
    const first = loadMigration(set.entries[0]!);
    expect(first.up.transactional).toBe(true);
    expect(first.up.statements.map((s) => s.sql.split('\n')[0])).toEqual(['CREATE TABLE users (']);
  });

  it('reads a reworked change\'s earlier version from deploy/<change>@<tag>.sql, and a project it depends on first', () => {
    withDir(
      {
        'base/sqitch.plan': '%project=base\n\nroles 2024-01-01T00:00:00Z A <a@x> # roles\n',
        'base/deploy/roles.sql': 'CREATE TABLE roles (id int);\n',
        'sqitch.plan': '%project=app\n\nfn [base:roles] 2024-01-01T00:00:00Z A <a@x> # v1\n@v1 2024-01-02T00:00:00Z A <a@x> # tag\nfn [fn@v1] 2024-01-03T00:00:00Z A <a@x> # v2\n',
        'deploy/fn@v1.sql': 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n',
        'deploy/fn.sql': 'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n',
      },
      (dir) => {
        const set = readMigrationSet(dir);
        expect(set.entries.map((e) => [e.version, e.name, path.relative(dir, e.upPath)])).toEqual([
          ['1', 'roles', path.join('base', 'deploy', 'roles.sql')],
          ['2', 'fn', path.join('deploy', 'fn@v1.sql')],
          ['3', 'fn', path.join('deploy', 'fn.sql')],
        ]);
      },
    );
    // Several tags between the two versions: sqitch takes the first of them that names an existing file
    // (`sqitch rework` names the copy after the latest tag at the time, not necessarily the next one).
    withDir(
      {
        'sqitch.plan': '%project=app\n\nfn 2024-01-01T00:00:00Z A <a@x>\n@v1 2024-01-02T00:00:00Z A <a@x>\nother 2024-01-03T00:00:00Z A <a@x>\n@v2 2024-01-04T00:00:00Z A <a@x>\nfn [fn@v2] 2024-01-05T00:00:00Z A <a@x>\n',
        'deploy/fn@v2.sql': 'SELECT 1;\n',
        'deploy/other.sql': 'SELECT 2;\n',
        'deploy/fn.sql': 'SELECT 3;\n',
      },
      (dir) => {
        expect(readMigrationSet(dir).entries.map((e) => path.basename(e.upPath))).toEqual(['fn@v2.sql', 'other.sql', 'fn.sql']);
      },
    );
    withDir({ 'sqitch.plan': '%project=app\n\nb [a] 2024-01-01T00:00:00Z A <a@x>\na 2024-01-01T00:00:00Z A <a@x>\n', 'deploy/a.sql': 'SELECT 1;', 'deploy/b.sql': 'SELECT 1;' }, (dir) => {
      expect(() => readMigrationSet(dir)).toThrow(/sqitch\.plan:3: "b" requires "a", which is not planned before it/);
    });
  });
});

describe('popx', () => {
  it('takes the postgres file over the generic one, skips other dialects and empty placeholders', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'popx'));
    expect(set.entries.map((e) => [e.version, e.name, path.basename(e.upPath)])).toEqual([
      ['20240101000000000000', 'users', '20240101000000000000_users.postgres.up.sql'],
      ['20240102000000000000', 'users_email_index', '20240102000000000000_users_email_index.postgres.autocommit.up.sql'],
      ['20240103000000000000', 'orders', '20240103000000000000_orders.up.sql'],
    ]);
    expect(loadMigration(set.entries[1]!).up.transactional).toBe(false);
    expect(set.notices.join('\n')).toMatch(/ignored 2 files \(for other databases\)/);
    expect(set.notices.join('\n')).toMatch(/ignored 1 file \(empty up files: placeholders popx skips\): .*20240102000000000001_users_email_index\.postgres\.up\.sql/);
  });
});

describe('graphile-migrate', () => {
  it('checks the hash chain and reads the body below the headers', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'graphile-migrate'));
    expect(set.entries.map((e) => [e.version, e.name])).toEqual([
      ['000001', '000001'],
      ['000002', '000002'],
      ['000003', 'create-orders'],
    ]);
    expect(loadMigration(set.entries[0]!).up.statements[0]!.line).toBe(4);
  });

  it('refuses an edited committed migration, naming the file', () => {
    const fixture = path.join(FIXTURES, 'graphile-migrate', 'committed');
    const files = Object.fromEntries(readdirSync(fixture).map((name: string) => [`committed/${name}`, readFileSync(path.join(fixture, name), 'utf8')]));
    files['committed/000002.sql'] = files['committed/000002.sql']!.replace('users_email_idx', 'users_email_index');
    withDir(files, (dir) => {
      expect(() => readMigrationSet(dir)).toThrow(/committed\/000002\.sql:2: hash does not match the file .*; a committed migration was edited/);
    });
  });
});

describe('hasura', () => {
  it('treats the generated "Could not auto-generate" down as no down', () => {
    const set = readMigrationSet(path.join(FIXTURES, 'hasura'));
    expect(set.entries.map((e) => [e.version, Boolean(e.downSource)])).toEqual([
      ['1704110400000', true],
      ['1704196800000', false],
      ['1704283200000', true],
    ]);
  });
});

describe('golang-migrate and flyway as their tools read them', () => {
  it('golang-migrate pairs by version (names may differ), skips files it does not read, and is detected by that', () => {
    withDir(
      {
        '30_add_x.up.sql': 'CREATE TABLE x (id int);',
        '30_drop_x.down.sql': 'DROP TABLE x;',
        '31_y.up.sql': 'CREATE TABLE y (id int);',
        '31_y.down.sql': '-- nothing to undo: y is dropped by hand\n',
        'atlas.sum': 'h1:abc',
        'notes.sql': '-- scratch\n',
      },
      (dir) => {
        const set = readMigrationSet(dir);
        expect(set.layout).toBe('golang-migrate');
        expect(set.entries.map((e) => [e.version, e.name, e.downPath && path.basename(e.downPath)])).toEqual([
          ['30', 'add_x', '30_drop_x.down.sql'],
          ['31', 'y', '31_y.down.sql'],
        ]);
        expect(set.notices).toEqual([expect.stringMatching(/ignored 1 file \(not \{version\}_\{title\}\.up\|down\.sql\): .*notes\.sql/)]);
      },
    );
  });

  it('flyway: dotted versions in Flyway\'s order, files Flyway skips, placeholders', () => {
    withDir(
      {
        'V1__a.sql': 'CREATE SCHEMA ${app};',
        'V1.0.0.1__b.sql': 'CREATE TABLE ${app}.b (id int);',
        'V13.1__c.sql': 'SELECT 1;',
        'V2__d.sql': 'SELECT 1;',
        'V13__e.sql': 'SELECT 1;',
        'rollback/1.0__undo.sql': 'DROP SCHEMA x;',
        'flyway.conf': 'flyway.placeholders.app=shop\n',
      },
      (dir) => {
        const set = readMigrationSet(dir);
        expect(set.entries.map((e) => e.version)).toEqual(['1', '1.0.0.1', '2', '13', '13.1']);
        expect(set.notices).toEqual([expect.stringMatching(/ignored 1 file .*Flyway skips them\): .*1\.0__undo\.sql/)]);
        expect(upSql(set.entries[1]!)).toEqual(['CREATE TABLE shop.b (id int)']);
      },
    );
    withDir({ 'V1__a.sql': 'SELECT 1;\nCREATE SCHEMA ${ohdsiSchema};' }, (dir) => {
      const set = readMigrationSet(dir);
      expect(() => loadMigration(set.entries[0]!)).toThrow(/V1__a\.sql:2: no value for Flyway placeholder \$\{ohdsiSchema\} .*FLYWAY_PLACEHOLDERS_OHDSISCHEMA/);
    });
    withDir({ 'V1__a.sql': 'SELECT 1;', 'V1.0__b.sql': 'SELECT 2;' }, (dir) => {
      expect(() => readMigrationSet(dir)).toThrow(/duplicate migration version/);
    });
  });

  it('compares versions part by part', () => {
    expect(['13.1', '2', '1.0.0.1', '13', '1'].sort(compareVersions)).toEqual(['1', '1.0.0.1', '2', '13', '13.1']);
    expect(compareVersions('1.0', '1')).toBe(0);
  });

  it('fider-style folders (every file an up, .up.sql and .sql side by side) read as flat', () => {
    withDir({ '201701010000_a.up.sql': 'SELECT 1;', '201702010000_b.sql': 'SELECT 1;', '201703010000_c.up.sql': 'SELECT 1;' }, (dir) => {
      const set = readMigrationSet(dir);
      expect(set.layout).toBe('flat');
      expect(set.entries.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    });
  });
});

describe('never "nothing to do" by mistake', () => {
  it('a folder of .sql files none of which is a migration is bad input naming the first file', () => {
    withDir({ 'schema.sql': 'CREATE TABLE a (id int);', 'seed.sql': 'SELECT 1;' }, (dir) => {
      expect(() => readMigrationSet(dir)).toThrow(/schema\.sql: unrecognised migration file name; .*tried: native, golang-migrate, flyway/);
    });
    withDir({ 'local_x.sql': 'SELECT 1;' }, (dir) => {
      expect(() => readMigrationSet(dir, { layout: 'supabase' })).toThrow(/1 \.sql file but no supabase migration \(read as supabase \(--layout\)\); first unrecognised file: local_x\.sql/);
    });
    withDir({ 'README.md': '# nothing here' }, (dir) => {
      expect(readMigrationSet(dir).entries).toEqual([]);
    });
  });
});
