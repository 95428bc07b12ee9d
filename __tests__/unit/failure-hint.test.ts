import { failureHint, PARSER_MAJOR } from '../../src/db/failure-hint.js';

describe('failureHint: what a failed statement needs from outside the migrations', () => {
  it('names a missing extension, in the wording of PostgreSQL 16+ and of 15', () => {
    expect(failureHint({ sqlState: '0A000', message: 'extension "vector" is not available', serverMajor: 18 })).toMatch(/^the server has no "vector" extension: install its package/);
    expect(failureHint({ sqlState: '58P01', message: 'could not open extension control file "/usr/share/postgresql/15/extension/vector.control": No such file or directory', serverMajor: 15 })).toMatch(/^the server has no "vector" extension/);
  });

  it('a syntax error on a server older than the grammar ddlgate parsed with suggests a newer server; never on a current one', () => {
    expect(failureHint({ sqlState: '42601', message: 'subquery in FROM must have an alias', serverMajor: 15 })).toBe(
      `the statement is valid PostgreSQL ${PARSER_MAJOR} SQL (ddlgate parsed it) but this server runs PostgreSQL 15: it may need a newer server`,
    );
    expect(failureHint({ sqlState: '42601', message: 'subquery in FROM must have an alias', serverMajor: PARSER_MAJOR })).toBeNull();
    expect(failureHint({ sqlState: '42601', message: 'syntax error', serverMajor: null })).toBeNull();
  });

  it('a role the migrations never create is said to come from a platform or an extension', () => {
    expect(failureHint({ sqlState: '42704', message: 'role "pgsodium_keyholder" does not exist', serverMajor: 15 })).toMatch(/^role "pgsodium_keyholder" is not created by these migrations/);
  });

  it('in a goose directory, a missing table, column or object points at goose\'s Go migrations; in other layouts it does not', () => {
    for (const sqlState of ['42P01', '42703', '42704', '42883']) {
      expect(failureHint({ sqlState, message: 'relation "v1_dags_olap_new" does not exist', serverMajor: 15, layout: 'goose' })).toMatch(/^goose also runs Go migrations .*apply that one with goose first/);
    }
    expect(failureHint({ sqlState: '42P01', message: 'relation "x" does not exist', serverMajor: 15, layout: 'golang-migrate' })).toBeNull();
    expect(failureHint({ sqlState: '23505', message: 'duplicate key value', serverMajor: 15, layout: 'goose' })).toBeNull();
  });

  it('other errors get no hint', () => {
    expect(failureHint({ sqlState: '42P01', message: 'relation "x" does not exist', serverMajor: 15 })).toBeNull();
    expect(failureHint({ sqlState: '23505', message: 'duplicate key value violates unique constraint "x"', serverMajor: 15 })).toBeNull();
  });
});
