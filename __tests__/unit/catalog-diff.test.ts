import { diffCatalogs, fingerprintOf, formatDifference, summariseDifferences, type CatalogSnapshot } from '../../src/db/catalog.js';

const base: CatalogSnapshot = {
  'table public.users': { kind: 'r', persistence: 'p' },
  'column public.users.id': { type: 'integer', 'not null': 'yes' },
  'index public.users_pkey': { definition: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)', valid: 'yes' },
};

describe('catalog fingerprint and diff', () => {
  it('fingerprints canonically: key order does not matter, any value does', () => {
    const reordered: CatalogSnapshot = {
      'index public.users_pkey': { valid: 'yes', definition: base['index public.users_pkey']!.definition! },
      'column public.users.id': { 'not null': 'yes', type: 'integer' },
      'table public.users': { persistence: 'p', kind: 'r' },
    };
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(base));
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf({ ...base, 'column public.users.id': { type: 'bigint', 'not null': 'yes' } })).not.toBe(fingerprintOf(base));
  });

  it('lists objects and attributes that differ', () => {
    const after: CatalogSnapshot = {
      ...base,
      'column public.users.id': { type: 'bigint', 'not null': 'yes' },
      'column public.users.email': { type: 'text', 'not null': 'no' },
    };
    delete after['index public.users_pkey'];
    expect(diffCatalogs(base, after)).toEqual([
      { object: 'column public.users.email', attribute: 'exists', before: 'no', after: 'yes' },
      { object: 'column public.users.id', attribute: 'type', before: 'integer', after: 'bigint' },
      { object: 'index public.users_pkey', attribute: 'exists', before: 'yes', after: 'no' },
    ]);
    expect(diffCatalogs(base, base)).toEqual([]);
  });

  it('folds the columns of a table that exists on one side only into that table', () => {
    const differences = diffCatalogs({}, base);
    expect(summariseDifferences(differences).map((d) => d.object)).toEqual(['index public.users_pkey', 'table public.users']);
  });

  it('formats a difference on one line', () => {
    expect(formatDifference({ object: 'column public.users.id', attribute: 'default', before: null, after: "nextval('s')" })).toBe(`column public.users.id: default (none) → "nextval('s')"`);
    expect(formatDifference({ object: 'index public.i', attribute: 'exists', before: 'yes', after: 'no' })).toBe('index public.i: present before, missing after');
  });
});
