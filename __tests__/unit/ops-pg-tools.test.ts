import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectionEnv, findPgTool, parseToolVersion } from '../../src/ops/pg-tools.js';
import { scrubSecrets } from '../../src/secrets.js';
import { removeDir, tempDir } from '../helpers/pg.js';

function fakeTool(dir: string, tool: string, version: string): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, tool);
  // A stand-in that only answers --version, as the real program's first line does.
  writeFileSync(file, `#!/bin/sh\necho "${tool} (PostgreSQL) ${version}"\n`);
  chmodSync(file, 0o755);
}

describe('findPgTool', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir();
  });
  afterEach(() => removeDir(root));

  it('prefers DDLGATE_PG_BIN, then the server major, then newer majors, then PATH', () => {
    fakeTool(path.join(root, 'sys', '15', 'bin'), 'pg_dump', '15.18');
    fakeTool(path.join(root, 'sys', '17', 'bin'), 'pg_dump', '17.2');
    fakeTool(path.join(root, 'custom'), 'pg_dump', '18.1');
    fakeTool(path.join(root, 'path'), 'pg_dump', '16.4');
    const base = { systemRoot: path.join(root, 'sys') };
    expect(findPgTool('pg_dump', 15, { ...base, env: { PATH: path.join(root, 'path') } }).path).toBe(path.join(root, 'sys', '15', 'bin', 'pg_dump'));
    expect(findPgTool('pg_dump', 16, { ...base, env: { PATH: path.join(root, 'path') } }).path).toBe(path.join(root, 'sys', '17', 'bin', 'pg_dump'));
    expect(findPgTool('pg_dump', 15, { ...base, env: { PATH: '', DDLGATE_PG_BIN: path.join(root, 'custom') } })).toMatchObject({ major: 18, version: '18.1' });
    expect(findPgTool('pg_dump', 16, { systemRoot: path.join(root, 'none'), env: { PATH: path.join(root, 'path') } }).major).toBe(16);
  });

  it('fails in one line naming the version needed and how to install it when only an older one exists', () => {
    fakeTool(path.join(root, 'sys', '15', 'bin'), 'pg_dump', '15.18');
    let message = '';
    try {
      findPgTool('pg_dump', 18, { systemRoot: path.join(root, 'sys'), env: { PATH: '' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^pg_dump 18 or newer is needed for a PostgreSQL 18 server \(found only pg_dump 15\.18 at .*\); install postgresql-client-18/);
    expect(message).toContain('DDLGATE_PG_BIN');
    expect(message).not.toContain('\n');
  });

  it('parses version lines', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toEqual({ major: 15, version: '15.18' });
    expect(parseToolVersion('psql (PostgreSQL) 18beta1')).toEqual({ major: 18, version: '18' });
  });
});

describe('connectionEnv', () => {
  it('puts every setting, the password included, in PG* variables and drops inherited target variables', () => {
    const env = connectionEnv('postgres://app%40x:s3cr%3At@db.example:6543/my%20db?sslmode=require&application_name=deploy', {
      PATH: '/bin',
      PGSERVICE: 'other',
      PGHOST: 'elsewhere',
      PGPASSWORD: 'inherited',
      PGSSLROOTCERT: '/etc/ca.pem',
      DDLGATE_PG_BIN: '/x',
    });
    expect(env).toEqual({
      PATH: '/bin',
      DDLGATE_PG_BIN: '/x',
      PGSSLROOTCERT: '/etc/ca.pem',
      PGHOST: 'db.example',
      PGPORT: '6543',
      PGUSER: 'app@x',
      PGPASSWORD: 's3cr:t',
      PGDATABASE: 'my db',
      PGSSLMODE: 'require',
      PGAPPNAME: 'deploy',
    });
    // The URL parse registered the password: any later error text is scrubbed of it.
    expect(scrubSecrets('failed for s3cr:t')).toBe('failed for ***');
  });
});
