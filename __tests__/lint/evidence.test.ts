/** The evidence merge: lint findings confirmed or contradicted by what the dry-run traced. Pure, no database. */
import { loadParser } from '../../src/sql/parser.js';
import { lintText } from '../../src/lint/index.js';
import { mergeEvidence, type TracedMigration } from '../../src/lint/evidence.js';
import type { LintResult } from '../../src/lint/types.js';

beforeAll(async () => {
  await loadParser();
});

const FILE = 'migrations/0002_change.up.sql';

function lintOf(sql: string): LintResult {
  const file = lintText(FILE, sql);
  const errors = file.findings.filter((f) => f.severity === 'error').length;
  return { files: [file], summary: { errors, warnings: file.findings.length - errors, infos: 0 } };
}

describe('mergeEvidence', () => {
  test('a rewrite finding the dry-run saw is confirmed, with what was seen', () => {
    const lint = lintOf('ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n');
    const traced: TracedMigration[] = [{ path: FILE, ok: true, statements: [{ line: 1, locks: [{ relation: 'public.orders', mode: 'AccessExclusiveLock', preExisting: true }], rewrites: ['public.orders'] }] }];
    const merged = mergeEvidence(lint, traced);
    expect(merged.files[0]!.findings).toEqual([
      expect.objectContaining({ rule: 'change-column-type', severity: 'error', evidence: { status: 'confirmed', observed: 'rewrote public.orders (new relfilenode); AccessExclusiveLock on public.orders', mode: 'AccessExclusiveLock', rewrote: true } }),
    ]);
  });

  test('a rewrite the dry-run did not see is contradicted and downgraded, with the evidence in the message', () => {
    const lint = lintOf('ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n');
    const traced: TracedMigration[] = [{ path: FILE, ok: true, statements: [{ line: 1, locks: [{ relation: 'public.orders', mode: 'AccessExclusiveLock', preExisting: true }], rewrites: [] }] }];
    const [finding] = mergeEvidence(lint, traced).files[0]!.findings;
    expect(finding).toMatchObject({ rule: 'change-column-type', severity: 'warning', evidence: { status: 'contradicted', rewrote: false } });
    expect(finding!.message).toContain('contradicted by the dry-run: no rewrite of public.orders (relfilenode unchanged)');
    expect(mergeEvidence(lint, traced).summary).toEqual({ errors: 0, warnings: 1, infos: 0 });
  });

  test('a lock finding is confirmed by a lock at least as strong on its table, contradicted by a weaker one', () => {
    const lint = lintOf('CREATE INDEX orders_user_idx ON orders (user_id);\n');
    const strong = mergeEvidence(lint, [{ path: FILE, ok: true, statements: [{ line: 1, locks: [{ relation: 'public.orders', mode: 'ShareLock', preExisting: true }], rewrites: [] }] }]);
    expect(strong.files[0]!.findings[0]).toMatchObject({ severity: 'error', evidence: { status: 'confirmed', observed: 'ShareLock on public.orders', mode: 'ShareLock' } });
    const weak = mergeEvidence(lint, [{ path: FILE, ok: true, statements: [{ line: 1, locks: [{ relation: 'public.orders', mode: 'ShareUpdateExclusiveLock', preExisting: true }], rewrites: [] }] }]);
    expect(weak.files[0]!.findings[0]).toMatchObject({ severity: 'warning', evidence: { status: 'contradicted' } });
  });

  test('a lock an earlier statement of the migration already took confirms a later finding (PostgreSQL lists it once)', () => {
    const lint = lintOf('ALTER TABLE orders ADD COLUMN region text;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n');
    const traced: TracedMigration[] = [
      {
        path: FILE,
        ok: true,
        statements: [
          { line: 1, locks: [{ relation: 'public.orders', mode: 'AccessExclusiveLock', preExisting: true }], rewrites: [] },
          { line: 2, locks: [], rewrites: [] },
        ],
      },
    ];
    const check = mergeEvidence(lint, traced).files[0]!.findings.find((f) => f.rule === 'check-without-not-valid')!;
    expect(check).toMatchObject({ severity: 'error', evidence: { status: 'confirmed', mode: 'AccessExclusiveLock', observed: 'AccessExclusiveLock on public.orders, already held since line 1 of this migration (the statement runs under it)' } });
    // A weaker earlier lock does not: the prediction is still contradicted.
    traced[0]!.statements[0]!.locks[0]!.mode = 'ShareUpdateExclusiveLock';
    expect(mergeEvidence(lint, traced).files[0]!.findings.find((f) => f.rule === 'check-without-not-valid')).toMatchObject({ severity: 'warning', evidence: { status: 'contradicted' } });
  });

  test('a statement the dry-run ran differently (without CONCURRENTLY) or that failed gives no evidence', () => {
    const lint = lintOf('CREATE INDEX orders_user_idx ON orders (user_id);\n');
    const merged = mergeEvidence(lint, [{ path: FILE, ok: false, statements: [{ line: 1, locks: [], rewrites: [], error: 'relation "orders" does not exist' }] }]);
    expect(merged.files[0]!.findings[0]).toMatchObject({ severity: 'error', evidence: null });
  });

  test('a rewrite no rule predicted becomes a dry-run-observed error; a long blocking lock a warning; a short one nothing', () => {
    const lint = lintOf('UPDATE orders SET note = upper(note) WHERE id < 10;\nALTER TABLE orders ADD COLUMN x int;\nSELECT 1;\n');
    const merged = mergeEvidence(lint, [
      {
        path: FILE,
        ok: true,
        statements: [
          { line: 1, durationMs: 2500, locks: [{ relation: 'public.orders', mode: 'ExclusiveLock', preExisting: true }], rewrites: [] },
          { line: 2, durationMs: 3, locks: [{ relation: 'public.orders', mode: 'AccessExclusiveLock', preExisting: true }], rewrites: [] },
          { line: 3, durationMs: 1, locks: [], rewrites: ['public.audit'] },
        ],
      },
    ]);
    expect(merged.files[0]!.findings.map((f) => [f.rule, f.severity, f.line, f.evidence?.status])).toEqual([
      ['dry-run-observed', 'warning', 1, 'confirmed'],
      ['dry-run-observed', 'error', 3, 'confirmed'],
    ]);
    expect(merged.files[0]!.findings[1]).toMatchObject({ table: 'public.audit', impact: null });
  });

  test('files the dry-run did not run keep evidence null', () => {
    const lint = lintOf('CREATE INDEX orders_user_idx ON orders (user_id);\n');
    expect(mergeEvidence(lint, [{ path: 'migrations/other.up.sql', ok: true, statements: [] }])).toEqual(lint);
  });
});
