import { buildCreateIndexSql, buildDropIndexSql, defaultIndexName, parseIndexArgument } from '../../src/ops/index-helper.js';

describe('buildCreateIndexSql', () => {
  const env = process.env.INDEX_CONCURRENT;
  afterEach(() => {
    if (env === undefined) delete process.env.INDEX_CONCURRENT;
    else process.env.INDEX_CONCURRENT = env;
  });

  it('quotes identifiers, names the index after table and columns', () => {
    expect(buildCreateIndexSql({ table: 'users', columns: ['email'], concurrent: false })).toBe('CREATE INDEX "users_email_idx" ON "users" ("email");');
  });

  it('builds a partial unique covering index in a schema, concurrently', () => {
    expect(
      buildCreateIndexSql({ table: 'app.orders', columns: ['tenant_id', 'created_at desc nulls last'], unique: true, include: ['total'], where: 'deleted_at IS NULL', concurrent: true }),
    ).toBe('CREATE UNIQUE INDEX CONCURRENTLY "orders_tenant_id_created_at_partial_key" ON "app"."orders" ("tenant_id", "created_at" DESC NULLS LAST) INCLUDE ("total") WHERE deleted_at IS NULL;');
  });

  it('keeps reserved words and mixed case safe, wraps expressions, uses the method', () => {
    expect(buildCreateIndexSql({ table: 'Order', columns: ['order', 'lower(email)'], method: 'GIN', name: 'My Index', concurrent: false })).toBe(
      'CREATE INDEX "My Index" ON "Order" USING gin ("order", (lower(email)));',
    );
    expect(buildCreateIndexSql({ table: '"we.ird"', columns: ['"A"'], concurrent: false })).toBe('CREATE INDEX "we_ird_a_idx" ON "we.ird" ("A");');
  });

  it('defaults concurrent from INDEX_CONCURRENT=1', () => {
    process.env.INDEX_CONCURRENT = '1';
    expect(buildCreateIndexSql({ table: 't', columns: ['a'] })).toContain('CONCURRENTLY');
    expect(buildDropIndexSql({ table: 't', columns: ['a'] })).toBe('DROP INDEX CONCURRENTLY IF EXISTS "t_a_idx";');
    delete process.env.INDEX_CONCURRENT;
    expect(buildCreateIndexSql({ table: 't', columns: ['a'] })).not.toContain('CONCURRENTLY');
  });

  it('drops the matching index in the table schema', () => {
    expect(buildDropIndexSql({ table: 'app.orders', columns: ['tenant_id'], concurrent: false })).toBe('DROP INDEX IF EXISTS "app"."orders_tenant_id_idx";');
    expect(buildDropIndexSql({ name: 'x', schema: 's', concurrent: true })).toBe('DROP INDEX CONCURRENTLY IF EXISTS "s"."x";');
  });

  it('refuses bad input with a readable message', () => {
    expect(() => buildCreateIndexSql({ table: 't', columns: [] })).toThrow(/at least one column/);
    expect(() => buildCreateIndexSql({ table: 't', columns: ['a'], where: 'true; DROP TABLE t' })).toThrow(/semicolon/);
    expect(() => buildCreateIndexSql({ table: 't', columns: ['a'], method: 'bogus' })).toThrow(/unknown method/);
    expect(() => buildCreateIndexSql({ table: 'a.b.c', columns: ['a'] })).toThrow(/not a table name/);
  });

  it('keeps generated names within 63 bytes, distinct by hash', () => {
    const long = defaultIndexName({ table: 'a_very_long_table_name_for_testing', columns: ['first_long_column_name', 'second_long_column_name'] });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/_[0-9a-f]{8}_idx$/);
    expect(long).not.toBe(defaultIndexName({ table: 'a_very_long_table_name_for_testing', columns: ['first_long_column_name', 'second_long_column_other'] }));
  });
});

describe('parseIndexArgument', () => {
  it('splits columns on top-level commas only', () => {
    expect(parseIndexArgument('public.users(tenant_id, lower(coalesce(email, \'a,b\')), created_at DESC)')).toEqual({
      table: 'public.users',
      columns: ['tenant_id', "lower(coalesce(email, 'a,b'))", 'created_at DESC'],
    });
  });
  it('rejects a missing column list', () => {
    expect(() => parseIndexArgument('users')).toThrow(/expected table\(column/);
    expect(() => parseIndexArgument('users(a,,b)')).toThrow(/empty column/);
  });
});
