import { appliedVersionsBlock, cleanSchemaDump, schemaDumpArgs } from '../../src/ops/schema-dump.js';

describe('cleanSchemaDump', () => {
  it('drops the version and \\restrict lines that change between runs', () => {
    const dump = (key: string, version: string) =>
      [
        '--',
        '-- PostgreSQL database dump',
        '--',
        '',
        `\\restrict ${key}`,
        '',
        `-- Dumped from database version ${version}`,
        `-- Dumped by pg_dump version ${version}`,
        '',
        'SET statement_timeout = 0;',
        '',
        'CREATE TABLE public.t (id integer);',
        '',
        `\\unrestrict ${key}`,
        '',
      ].join('\r\n');
    const a = cleanSchemaDump(dump('abc123', '15.18'));
    expect(a).toBe(cleanSchemaDump(dump('zzz999', '15.19')));
    expect(a).not.toMatch(/restrict|Dumped|\r/);
    expect(a).not.toMatch(/\n\n\n/);
    expect(a.endsWith('CREATE TABLE public.t (id integer);\n')).toBe(true);
  });

  it('lists applied versions and excludes the tracking schema', () => {
    expect(appliedVersionsBlock('ddlgate', [{ version: '1', name: 'a' }])).toContain('-- 1 a');
    expect(appliedVersionsBlock('ddlgate', [])).toContain('-- (none)');
    expect(schemaDumpArgs('ddlgate')).toEqual(expect.arrayContaining(['--schema-only', '--no-owner', '--no-privileges', '--exclude-schema="ddlgate"']));
  });
});
