import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { checksumOf } from '../../src/migrations/checksum.js';
import { discoverMigrations } from '../../src/migrations/discover.js';
import { compileScript, loadMigration, readSqlFile } from '../../src/migrations/script.js';
import { loadParser } from '../../src/sql/parser.js';
import { removeDir, tempDir } from '../helpers/pg.js';

beforeAll(async () => {
  await loadParser();
});

describe('discoverMigrations (native layout)', () => {
  it('orders versions numerically, pairs down files and ignores non-SQL files', () => {
    const dir = tempDir({
      '10_b.up.sql': 'SELECT 1;',
      '9_a.up.sql': 'SELECT 1;',
      '9_a.down.sql': 'SELECT 1;',
      '100_c.up.sql': 'SELECT 1;',
      'README.md': '# notes',
      'schema.json': '{}',
    });
    try {
      const entries = discoverMigrations(dir);
      expect(entries.map((e) => e.version)).toEqual(['9', '10', '100']);
      expect(entries[0]!.downPath).toBe(path.join(dir, '9_a.down.sql'));
      expect(entries[1]!.downPath).toBeUndefined();
    } finally {
      removeDir(dir);
    }
  });

  it.each([
    [{ '001_a.up.sql': 'SELECT 1', '1_b.up.sql': 'SELECT 1' }, /duplicate migration version 1.*001_a\.up\.sql|duplicate migration version 001.*1_b\.up\.sql/],
    [{ '002_a.up.sql': 'SELECT 1', '002_b.up.sql': 'SELECT 1' }, /002_b\.up\.sql: duplicate migration version 002, also used by .*002_a\.up\.sql/],
    [{ '003_orphan.down.sql': 'SELECT 1' }, /003_orphan\.down\.sql: down migration without its up file/],
    [{ 'add_users.sql': 'SELECT 1' }, /add_users\.sql: unrecognised migration file name; expected <version>_<name>\.up\.sql/],
  ])('rejects bad directories with the file named (%#)', (files, message) => {
    const dir = tempDir(files);
    try {
      expect(() => discoverMigrations(dir)).toThrow(InputError);
      expect(() => discoverMigrations(dir)).toThrow(message);
    } finally {
      removeDir(dir);
    }
  });

  it('says so when the directory does not exist', () => {
    expect(() => discoverMigrations('/nonexistent/migrations')).toThrow(/migrations directory not found/);
  });
});

describe('checksums', () => {
  it('ignores a BOM and CRLF line ends', () => {
    const lf = 'CREATE TABLE t (id int);\nSELECT 1;\n';
    expect(checksumOf('\uFEFF' + lf.replace(/\n/g, '\r\n'))).toBe(checksumOf(lf));
    expect(checksumOf(lf + ' ')).not.toBe(checksumOf(lf));
  });
});

describe('compileScript', () => {
  it('runs a file with CREATE INDEX CONCURRENTLY outside a transaction and says why', () => {
    const script = compileScript('m.up.sql', 'CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);');
    expect(script.transactional).toBe(false);
    expect(script.nonTransactionalReasons).toEqual(['CREATE INDEX CONCURRENTLY (line 2)']);
  });

  it.each(['DROP INDEX CONCURRENTLY i', 'REINDEX (CONCURRENTLY) INDEX i', 'REINDEX INDEX CONCURRENTLY i', 'VACUUM t', 'ALTER SYSTEM SET work_mem = 1', 'CREATE DATABASE x', 'ALTER TABLE p DETACH PARTITION c CONCURRENTLY'])(
    'detects %s as non-transactional',
    (sql) => {
      expect(compileScript('m.up.sql', sql).transactional).toBe(false);
    },
  );

  it('honours the no-transaction directive in the leading comments only', () => {
    expect(compileScript('m.up.sql', '-- ddlgate:no-transaction\nSELECT 1;').transactional).toBe(false);
    expect(compileScript('m.up.sql', 'SELECT 1;\n-- ddlgate:no-transaction\nSELECT 2;').transactional).toBe(true);
  });

  it('unwraps a BEGIN/COMMIT pair around the whole file', () => {
    const script = compileScript('m.up.sql', 'BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;');
    expect(script.transactional).toBe(true);
    expect(script.statements.map((s) => s.kind)).toEqual(['CreateStmt']);
  });

  it('rejects CONCURRENTLY inside BEGIN … COMMIT and stray transaction control, naming the line', () => {
    expect(() => compileScript('m.up.sql', 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;')).toThrow(/m\.up\.sql:1:1: CREATE INDEX CONCURRENTLY \(line 2\) cannot run inside BEGIN/);
    expect(() => compileScript('m.up.sql', 'SELECT 1;\nCOMMIT;\nSELECT 2;')).toThrow(/m\.up\.sql:2:1: COMMIT here would break/);
  });

  it('rejects syntax errors and empty files with file:line:column', () => {
    expect(() => compileScript('m.up.sql', 'SELECT 1;\nCREATE TABL t ();')).toThrow(/^m\.up\.sql:2:8: syntax error at or near "TABL"$/);
    expect(() => compileScript('m.up.sql', '-- only a comment\n')).toThrow(/m\.up\.sql: no SQL statements/);
  });
});

describe('readSqlFile', () => {
  it('rejects binary and invalid UTF-8 content with the file and line', () => {
    const dir = tempDir();
    try {
      const binary = path.join(dir, '1_bin.up.sql');
      writeFileSync(binary, Buffer.from([0x53, 0x00, 0x01]));
      expect(() => readSqlFile(binary)).toThrow(/1_bin\.up\.sql: binary content/);
      const latin1 = path.join(dir, '2_latin.up.sql');
      writeFileSync(latin1, Buffer.concat([Buffer.from('SELECT 1;\nSELECT \''), Buffer.from([0xe9]), Buffer.from("';")]));
      expect(() => readSqlFile(latin1)).toThrow(/2_latin\.up\.sql:2: invalid UTF-8/);
    } finally {
      removeDir(dir);
    }
  });

  it('gives the same checksum to a CRLF copy of a migration', () => {
    const dir = tempDir({ '1_a.up.sql': 'CREATE TABLE a (id int);\nSELECT 1;\n', '2_b.up.sql': '\uFEFFCREATE TABLE a (id int);\r\nSELECT 1;\r\n' });
    try {
      const [a, b] = discoverMigrations(dir).map(loadMigration);
      expect(a!.checksum).toBe(b!.checksum);
      expect(b!.up.statements[1]!.line).toBe(2);
    } finally {
      removeDir(dir);
    }
  });
});
