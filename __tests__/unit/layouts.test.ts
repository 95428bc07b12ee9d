import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { checksumOf } from '../../src/migrations/checksum.js';
import { discoverMigrations, readMigrationSet, resolveLayout } from '../../src/migrations/discover.js';
import { parseLayoutName } from '../../src/migrations/layouts/index.js';
import { blank, commentedSqlLines, sectionText } from '../../src/migrations/layouts/section.js';
import { loadMigration, readSqlFile } from '../../src/migrations/script.js';
import { loadParser } from '../../src/sql/parser.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/pg.js';

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

describe('blanking keeps every offset', () => {
  it('replaces each character by spaces of its UTF-8 byte length and keeps newlines', () => {
    const text = 'a “b” €\r\n😀x\n';
    const blanked = blank(text);
    expect(Buffer.byteLength(blanked)).toBe(Buffer.byteLength(text));
    expect(blanked.split('\n').length).toBe(text.split('\n').length);
    expect(blanked.trim()).toBe('');
  });

  it('puts a section statement on its original line and column, past multi-byte text', () => {
    const text = '-- migrate:up\n-- “ünïcødé” – 😀\nCREATE TABLE t (a int);\n\n-- migrate:down\n  DROP TABLE t;\n';
    const down = sectionText(text, { label: '-- migrate:down', startLine: 6, endLine: 7 });
    expect(Buffer.byteLength(down)).toBe(Buffer.byteLength(text));
    expect(down.split('\n')[5]).toBe('  DROP TABLE t;');
    expect(down.split('\n').slice(0, 5).join('').trim()).toBe('');
  });

  it('turns a marker line carrying the tool\'s no-transaction option into the ddlgate directive', () => {
    const text = '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n';
    const up = sectionText(text, { label: '-- migrate:up', startLine: 2, endLine: 3 }, { directiveLine: 1 });
    expect(up.split('\n')[0]!.trimEnd()).toBe('-- ddlgate:no-transaction');
    expect(Buffer.byteLength(up)).toBe(Buffer.byteLength(text));
  });
});

describe('ROLLBACK comment blocks', () => {
  it('takes SQL lines (multi-line, dollar-quoted) and leaves banners and prose out', () => {
    const lines = [
      '-- ==========',
      '-- ROLLBACK',
      '-- To rollback this migration:',
      '--   DROP TABLE IF EXISTS',
      '--     orders;',
      '-- Note: data is lost.',
      '--   DO $$ BEGIN',
      '--     PERFORM 1;',
      '--   END $$;',
    ];
    expect([...commentedSqlLines(lines, 1, lines.length)]).toEqual([4, 5, 7, 8, 9]);
  });

  it('yields the down migration on the original lines, and the header as metadata', () => {
    const [first, , third] = discoverMigrations(path.join(FIXTURES, 'sequential'));
    expect(first!.metadata).toEqual({ Migration: '001_create_users', Purpose: 'Create the users table', Author: 'platform-team' });
    const down = loadMigration(third!).loadDown()!;
    expect(down.statements.map((s) => [s.line, s.column, s.endLine])).toEqual([[14, 6, 15]]);
    expect(down.statements[0]!.sql.replace(/\s+/g, ' ')).toBe('DROP TABLE IF EXISTS orders');
    expect(loadMigration(third!).up.statements.map((s) => s.line)).toEqual([4]);
  });

  it('has no down when the block holds no SQL', () => {
    withDir({ '001_a.sql': 'CREATE TABLE a (id int);\n-- ROLLBACK\n-- not reversible: restore from backup\n' }, (dir) => {
      const [entry] = discoverMigrations(dir, { layout: 'sequential' });
      expect(entry!.downSource).toBeUndefined();
    });
  });
});

describe('layout detection', () => {
  it.each([
    ['native', 'native'],
    ['sequential', 'sequential'],
    ['flat', 'flat'],
    ['drizzle', 'drizzle'],
    ['dbmate', 'dbmate'],
    ['node-pg-migrate', 'node-pg-migrate'],
    // golang-migrate's names are ddlgate's native names: read as native unless --layout golang-migrate.
    ['golang-migrate', 'native'],
    ['flyway', 'flyway'],
  ])('detects the %s fixture as %s', (fixture, layout) => {
    expect(resolveLayout(path.join(FIXTURES, fixture))).toBe(layout);
    expect(discoverMigrations(path.join(FIXTURES, fixture))).toHaveLength(3);
  });

  it('refuses a directory mixing layouts, naming a file of each', () => {
    withDir({ '001_a.up.sql': 'SELECT 1;', '002_b.sql': '-- migrate:up\nSELECT 1;\n' }, (dir) => {
      expect(() => discoverMigrations(dir)).toThrow(InputError);
      expect(() => discoverMigrations(dir)).toThrow(/002_b\.sql: mixed migration layouts: this file looks like dbmate.*001_a\.up\.sql looks like native/);
    });
    withDir({ '001_a.sql': '-- Up Migration\nSELECT 1;\n', '002_b.sql': 'SELECT 1;\n' }, (dir) => {
      expect(() => discoverMigrations(dir)).toThrow(/002_b\.sql: mixed migration layouts.*sequential\/flat.*001_a\.sql looks like node-pg-migrate/);
    });
  });

  it('names the file that does not fit a layout given with --layout', () => {
    withDir({ '001_a.sql': 'SELECT 1;' }, (dir) => {
      expect(() => discoverMigrations(dir, { layout: 'dbmate' })).toThrow(/001_a\.sql: no "-- migrate:up" line/);
      expect(() => discoverMigrations(dir, { layout: 'native' })).toThrow(/001_a\.sql: unrecognised migration file name/);
    });
  });

  it('parses --layout values', () => {
    expect(parseLayoutName('auto')).toBeUndefined();
    expect(parseLayoutName('sequential-rollback-comments')).toBe('sequential');
    expect(() => parseLayoutName('liquibase')).toThrow(/--layout: "liquibase" is not a known layout/);
  });
});

describe('sectioned files (dbmate, node-pg-migrate)', () => {
  it('maps up and down statements to the file\'s own lines and honours transaction:false', () => {
    const entries = discoverMigrations(path.join(FIXTURES, 'dbmate'));
    const first = loadMigration(entries[0]!);
    expect(first.up.statements.map((s) => s.line)).toEqual([3]);
    expect(first.loadDown()!.statements.map((s) => [s.line, s.column])).toEqual([[9, 1]]);
    // The down is described as a section of the same file, never as a whole down file.
    expect(entries[0]!.downPath).toBeUndefined();
    expect(entries[0]!.downSource).toMatchObject({ path: entries[0]!.upPath, section: { label: '-- migrate:down', startLine: 9 } });
    const third = loadMigration(entries[2]!);
    expect(third.up.transactional).toBe(false);
    expect(third.up.directives).toContain('no-transaction');
    expect(third.loadDown()!.transactional).toBe(true);
  });

  it('checksums the whole file (editing the down section is a change too)', () => {
    const entry = discoverMigrations(path.join(FIXTURES, 'node-pg-migrate'))[1]!;
    expect(loadMigration(entry).checksum).toBe(checksumOf(readSqlFile(entry.upPath)));
    expect(loadMigration(entry).up.statements.map((s) => s.line)).toEqual([3]);
    expect(loadMigration(entry).loadDown()!.statements.map((s) => s.line)).toEqual([7]);
  });

  it('treats an empty down section as no down, and refuses SQL outside the sections', () => {
    withDir({ '20240101_a.sql': '-- migrate:up\nSELECT 1;\n\n-- migrate:down\n\n' }, (dir) => {
      expect(discoverMigrations(dir)[0]!.downSource).toBeUndefined();
    });
    withDir({ '20240101_a.sql': 'SELECT 0;\n-- migrate:up\nSELECT 1;\n' }, (dir) => {
      expect(() => discoverMigrations(dir, { layout: 'dbmate' })).toThrow(/20240101_a\.sql:1: SQL before the "-- migrate:up" line/);
    });
    withDir({ '20240101_a.sql': '-- migrate:up\n-- only a comment\n-- migrate:down\nSELECT 1;\n' }, (dir) => {
      expect(() => loadMigration(discoverMigrations(dir)[0]!)).toThrow(/20240101_a\.sql: no SQL statements in its -- migrate:up section/);
    });
  });
});

describe('other layouts', () => {
  it('golang-migrate: an empty or comment-only down file is a no-op down (golang-migrate runs it), a missing one is no down', () => {
    withDir({ '000001_a.up.sql': 'SELECT 1;', '000001_a.down.sql': '', '000002_b.up.sql': 'SELECT 1;', '000002_b.down.sql': '-- nothing to undo\n', '000003_c.up.sql': 'SELECT 1;' }, (dir) => {
      const entries = discoverMigrations(dir, { layout: 'golang-migrate' });
      expect(entries.map((e) => [e.version, Boolean(e.downSource), e.layout])).toEqual([
        ['000001', true, 'golang-migrate'],
        ['000002', true, 'golang-migrate'],
        ['000003', false, 'golang-migrate'],
      ]);
      expect(entries.slice(0, 2).map((e) => loadMigration(e).loadDown()!.statements)).toEqual([[], []]);
    });
    // Anywhere else an empty file is still a mistake.
    withDir({ '000001_a.up.sql': 'SELECT 1;', '000001_a.down.sql': '' }, (dir) => {
      expect(() => loadMigration(discoverMigrations(dir, { layout: 'native' })[0]!).loadDown()).toThrow(/000001_a\.down\.sql: no SQL statements/);
    });
  });

  it('drizzle: order and names from the journal; statement-breakpoint lines are comments', () => {
    const entries = discoverMigrations(path.join(FIXTURES, 'drizzle'));
    expect(entries.map((e) => [e.version, e.name])).toEqual([
      ['0000', 'bright_wolverine'],
      ['0001', 'silky_ultron'],
      ['0002', 'lying_gambit'],
    ]);
    expect(loadMigration(entries[2]!).up.statements.map((s) => s.line)).toEqual([1, 7]);
    // drizzle never runs a file its journal does not list: skipped with one notice, as drizzle skips it.
    withDir({ 'meta/_journal.json': '{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}', '0000_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 1;' }, (dir) => {
      const set = readMigrationSet(dir);
      expect(set.entries.map((e) => e.name)).toEqual(['a']);
      expect(set.notices).toEqual([expect.stringMatching(/ignored 1 file \(not listed in .*_journal\.json; drizzle never runs them\): .*0001_b\.sql/)]);
    });
    withDir({ 'meta/_journal.json': '{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}' }, (dir) => {
      expect(() => discoverMigrations(dir)).toThrow(/entry "0000_a" has no file/);
    });
  });

  it('flat: refuses a name order that differs from the version order', () => {
    withDir({ '9_a.sql': 'SELECT 1;', '10_b.sql': 'SELECT 1;' }, (dir) => {
      expect(() => discoverMigrations(dir, { layout: 'flat' })).toThrow(/name order and version order disagree/);
    });
  });

  it('flyway: V/U pairs; repeatable scripts refused by name', () => {
    const entries = discoverMigrations(path.join(FIXTURES, 'flyway'));
    expect(entries.map((e) => [e.version, e.name, path.basename(e.downPath ?? '')])).toEqual([
      ['1', 'create_users', 'U1__create_users.sql'],
      ['2', 'add_users_email_index', 'U2__add_users_email_index.sql'],
      ['3', 'create_orders', 'U3__create_orders.sql'],
    ]);
    withDir({ 'R__views.sql': 'SELECT 1;' }, (dir) => expect(() => discoverMigrations(dir)).toThrow(/R__views\.sql: repeatable Flyway migrations/));
  });
});
