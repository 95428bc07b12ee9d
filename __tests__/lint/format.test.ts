import { loadParser } from '../../src/sql/parser.js';
import { formatMigrationSql } from '../../src/lint/format.js';

beforeAll(async () => {
  await loadParser();
});

describe('format', () => {
  test('formats with sql-formatter and keeps the statements, comments and DO bodies', () => {
    const source = "-- ddlgate:no-transaction\ncreate index concurrently users_email_idx on users(email);\n-- ddlgate-ignore drop-column: unused\nalter table users drop column legacy;\nDO $$ BEGIN   PERFORM 1; END $$;\n";
    const result = formatMigrationSql(source);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.formatted).toContain('-- ddlgate:no-transaction\ncreate index concurrently users_email_idx on users (email);');
    expect(result.formatted).toContain('-- ddlgate-ignore drop-column: unused\nalter table users\ndrop column legacy;');
    expect(result.formatted).toContain('$$ BEGIN   PERFORM 1; END $$');
    expect(result.formatted.endsWith(';\n')).toBe(true);
    // Idempotent.
    expect(formatMigrationSql(result.formatted)).toEqual({ ok: true, formatted: result.formatted });
  });

  test('refuses a file that does not parse', () => {
    const result = formatMigrationSql('ALTER TABLE users ADD COLUMN;');
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/does not parse/);
  });

  test('refuses when the formatted SQL would parse to a different tree', () => {
    const result = formatMigrationSql('SELECT 1;', () => 'SELECT 2;');
    expect(result).toEqual({ ok: false, reason: 'the formatted SQL would parse to a different statement tree' });
  });

  test('refuses when a ddlgate comment would move to another statement', () => {
    const result = formatMigrationSql('SELECT 1;\n-- ddlgate-ignore truncate: ok\nSELECT 2;', () => '-- ddlgate-ignore truncate: ok\nSELECT 1;\nSELECT 2;\n');
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/ddlgate-ignore/) });
  });
});
