import { applyImpact, DEFAULT_IMPACT_SETTINGS, type FindingWithImpact, type ImpactSettings } from '../../src/impact/apply.js';
import { compareWithSnapshot, objectHashes } from '../../src/impact/drift.js';
import { estimateRange, formatRange, pointEstimate, type Throughput } from '../../src/impact/estimate.js';
import { canonicalSnapshot, identifierHash, redactSnapshot, serializeSnapshot, validateSnapshot, SNAPSHOT_FORMAT, type Snapshot, type SnapshotTable } from '../../src/impact/snapshot.js';
import { migrationTargets } from '../../src/impact/targets.js';
import { statementOperation, withTracedImpact, type LockWithImpact } from '../../src/impact/traced.js';
import type { DryRunReport } from '../../src/db/dry-run.js';
import { lintText } from '../../src/lint/index.js';
import type { FileResult } from '../../src/lint/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { fingerprintOf } from '../../src/db/catalog.js';

beforeAll(async () => {
  await loadParser();
});

const THROUGHPUT: Throughput = { scanBytesPerSecond: 400 * 2 ** 20, rewriteBytesPerSecond: 50 * 2 ** 20, indexRowsPerSecond: 500_000, calibrationRows: 200_000, fixedSeconds: 0.002, source: 'test' };
const SETTINGS: ImpactSettings = { ...DEFAULT_IMPACT_SETTINGS, throughput: THROUGHPUT };

function table(rows: number, heapBytes: number, extra: Partial<SnapshotTable> = {}): SnapshotTable {
  return {
    kind: 'table',
    rows,
    heapBytes,
    indexBytes: Math.round(heapBytes / 5),
    toastBytes: 0,
    columns: [{ name: 'id', type: 'bigint', notNull: true }],
    indexes: [{ name: 'pkey', bytes: Math.round(heapBytes / 5), unique: true, primary: true, valid: true }],
    constraints: [],
    activity: { seqScans: 10, indexScans: 5000, inserts: rows, updates: 1200, deletes: 3, liveRows: rows, deadRows: 0, lastAutovacuum: null, lastAutoanalyze: null },
    ...extra,
  };
}

const CATALOG = { 'table public.orders': { kind: 'r' }, 'column public.orders.id': { type: 'bigint', 'not null': 'yes' } };

function snapshotOf(tables: Record<string, SnapshotTable>): Snapshot {
  return canonicalSnapshot({
    format: SNAPSHOT_FORMAT,
    takenAt: '2026-11-30T12:00:00.000Z',
    server: { version: '18.1', major: 18 },
    statsReset: '2026-11-01T00:00:00.000Z',
    redacted: false,
    schema: { fingerprint: fingerprintOf(CATALOG), objects: objectHashes(CATALOG) },
    tables,
  });
}

const SNAPSHOT = snapshotOf({
  'public.countries': table(200, 16_384),
  'public.orders': table(1_000_000, 110 * 2 ** 20),
  'public.archive': table(2_000_000, 220 * 2 ** 20, { activity: { seqScans: 0, indexScans: 0, inserts: 0, updates: 0, deletes: 0, liveRows: 2_000_000, deadRows: 0, lastAutovacuum: null, lastAutoanalyze: null } }),
});

function lintWithImpact(sql: string, snapshot = SNAPSHOT, settings = SETTINGS, path = '20260101_x.up.sql'): FindingWithImpact[] {
  const file: FileResult = lintText(path, sql);
  return applyImpact([file], snapshot, new Map([[path, migrationTargets(sql)]]), settings)[0]!.findings as FindingWithImpact[];
}

describe('impact pass over lint findings', () => {
  it('a finding on a 200-row table is info, with the reason', () => {
    const [finding] = lintWithImpact('CREATE INDEX countries_name_idx ON countries (name);');
    expect(finding!.rule).toBe('create-index-not-concurrently');
    expect(finding!.severity).toBe('info');
    expect(finding!.message).toMatch(/— info: public\.countries has 200 rows, 19 kB in production \(~[\d.]+ writes\/hour since 2026-11-01\): the lock is held for milliseconds \(below 10,000 rows and 10 MB/);
    expect(finding!.impact).toEqual({ table: 'public.countries', rows: 200, bytes: 16_384 + 3277, estimateSeconds: expect.any(Array), summary: expect.stringMatching(/^info: public\.countries has 200 rows/) });
    // The summary is exactly what the message gained: the report shows it in its impact slot instead.
    expect(finding!.message.endsWith(` — ${finding!.impact!.summary}`)).toBe(true);
    expect(finding!.impact!.estimateSeconds![1]).toBeLessThan(0.1);
  });

  it('a finding on a 1M-row table stays an error, with its size and an estimated duration', () => {
    const [finding] = lintWithImpact('ALTER TABLE orders ALTER COLUMN total TYPE bigint;');
    expect(finding!.rule).toBe('change-column-type');
    expect(finding!.severity).toBe('error');
    const [lo, hi] = finding!.impact!.estimateSeconds!;
    // 110 MB at 50 MB/s plus the primary key rebuilt (1M rows at 500k rows/s, n log n): about 4.3 s.
    const point = pointEstimate('rewrite', { rows: 1_000_000, heapBytes: 110 * 2 ** 20, toastBytes: 0, indexCount: 1 }, THROUGHPUT);
    expect(point).toBeGreaterThan(4);
    expect(point).toBeLessThan(5);
    expect(lo).toBeLessThan(point);
    expect(hi).toBeGreaterThan(point);
    expect(finding!.impact).toMatchObject({ table: 'public.orders', rows: 1_000_000, bytes: 110 * 2 ** 20 + 22 * 2 ** 20 });
    expect(finding!.message).toContain('public.orders has 1,000,000 rows, 132 MB in production');
    expect(finding!.message).toMatch(/blocks reads and writes for an estimated [\d.]+–\d+ s \(table rewrite\), plus up to 5 s waiting for the lock/);
  });

  it('a validating scan and an index build get their own estimates', () => {
    const findings = lintWithImpact('ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nCREATE INDEX orders_note_idx ON orders (note);');
    expect(findings.filter((f) => f.rule !== 'statements-after-access-exclusive').map((f) => [f.rule, f.severity])).toEqual([
      ['set-not-null', 'error'],
      ['create-index-not-concurrently', 'error'],
    ]);
    expect(findings[0]!.message).toMatch(/\(validating scan\)/);
    expect(findings[1]!.message).toMatch(/blocks writes for an estimated .* \(index build\)/);
    expect(findings[0]!.impact!.estimateSeconds![1]).toBeLessThan(findings[1]!.impact!.estimateSeconds![1]);
  });

  it('breaking changes keep their severity whatever the size', () => {
    const [finding] = lintWithImpact('ALTER TABLE countries DROP COLUMN legacy;');
    expect(finding!.rule).toBe('drop-column');
    expect(finding!.severity).toBe('error');
    expect(finding!.impact).toMatchObject({ table: 'public.countries', rows: 200 });
  });

  it('a table the snapshot does not know is said to be new or unknown, severity kept, nothing guessed', () => {
    const first = 'CREATE TABLE fresh (id int);';
    const second = 'CREATE INDEX fresh_id_idx ON fresh (id);\nCREATE INDEX ghost_idx ON ghost (id);';
    const files = [lintText('1_create.up.sql', first), lintText('2_index.up.sql', second)];
    const targets = new Map([['1_create.up.sql', migrationTargets(first)], ['2_index.up.sql', migrationTargets(second)]]);
    const [fresh, ghost] = applyImpact(files, SNAPSHOT, targets, SETTINGS)[1]!.findings as FindingWithImpact[];
    expect(fresh!.severity).toBe('error');
    expect(fresh!.message).toMatch(/— public\.fresh is new: created by 1_create\.up\.sql:1, not in the production snapshot \(2026-11-30\)/);
    expect(fresh!.impact).toEqual({ table: 'public.fresh', rows: null, bytes: null, estimateSeconds: null, summary: expect.stringMatching(/^public\.fresh is new/) });
    expect(ghost!.severity).toBe('error');
    expect(ghost!.message).toMatch(/— public\.ghost is not in the production snapshot \(2026-11-30\): its size in production is unknown$/);
    expect(ghost!.impact).toEqual({ table: 'public.ghost', rows: null, bytes: null, estimateSeconds: null, summary: expect.stringMatching(/^public\.ghost is not in the production snapshot/) });
  });

  it('a table nobody read or wrote since the statistics were reset is a warning, not an error', () => {
    const [finding] = lintWithImpact('ALTER TABLE archive ALTER COLUMN id TYPE bigint;');
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/warning, not error: no reads or writes of public\.archive since 2026-11-01/);
  });

  it('thresholds come from the settings (ddlgate.json smallTableRows / smallTableBytes)', () => {
    const [finding] = lintWithImpact('CREATE INDEX countries_name_idx ON countries (name);', SNAPSHOT, { ...SETTINGS, smallTableRows: 100 });
    expect(finding!.severity).toBe('error');
  });

  it('findings that are not about a table lock get impact null', () => {
    const [finding] = lintWithImpact('ALTER TABLE orders ADD COLUMN x json;');
    expect(finding!.rule).toBe('prefer-jsonb');
    expect(finding!.impact).toBeNull();
  });

  it('a redacted snapshot is matched by hashing the migration\'s names', () => {
    const redacted = redactSnapshot(SNAPSHOT);
    expect(JSON.stringify(redacted)).not.toMatch(/countries|orders|archive|pkey|public/);
    const [finding] = lintWithImpact('CREATE INDEX countries_name_idx ON countries (name);', redacted);
    expect(finding!.severity).toBe('info');
    expect(finding!.impact!.rows).toBe(200);
  });
});

describe('impact of every lock the dry-run traced', () => {
  const lock = (relation: string, mode: string, blocks: Array<'reads' | 'writes'>, extra: object = {}) => ({ relation, mode, blocks, preExisting: true, kind: 'table', ...extra });
  const statement = (sql: string, locks: object[], rewrites: string[] = []) => ({ line: 1, sql, durationMs: 1, locks, rewrites }) as DryRunReport['migrations'][0]['statements'][0];
  const report = (...statements: Array<ReturnType<typeof statement>>): DryRunReport => ({ ok: true, migrations: [{ version: '1', name: 'x', path: '1_x.up.sql', ok: true, error: null, durationMs: 1, transactional: true, statements }] });
  const locksOf = (r: DryRunReport, i = 0) => r.migrations[0]!.statements[i]!.locks as LockWithImpact[];

  it('knows what each statement does while it holds its locks', () => {
    expect(statementOperation({ sql: 'CREATE INDEX i ON orders (total)', rewrites: [] })).toEqual({ operation: 'index build', table: { name: 'orders' } });
    expect(statementOperation({ sql: 'CREATE INDEX CONCURRENTLY i ON orders (total)', rewrites: [] }).operation).toBe('lock');
    expect(statementOperation({ sql: 'ALTER TABLE orders ALTER COLUMN total TYPE bigint', rewrites: ['public.orders'] })).toEqual({ operation: 'rewrite', table: { schema: 'public', name: 'orders' } });
    expect(statementOperation({ sql: 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL', rewrites: [] }).operation).toBe('scan');
    expect(statementOperation({ sql: 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0)', rewrites: [] }).operation).toBe('scan');
    expect(statementOperation({ sql: 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID', rewrites: [] }).operation).toBe('lock');
    expect(statementOperation({ sql: 'ALTER TABLE orders ADD CONSTRAINT u UNIQUE (total)', rewrites: [] }).operation).toBe('index build');
    expect(statementOperation({ sql: 'ALTER TABLE orders ADD CONSTRAINT u UNIQUE USING INDEX i', rewrites: [] }).operation).toBe('lock');
    expect(statementOperation({ sql: 'ALTER TABLE orders ADD COLUMN x int', rewrites: [] }).operation).toBe('lock');
  });

  it('gives each blocking lock on a table the snapshot knows its size in production and an estimated range', () => {
    const out = withTracedImpact(
      report(
        statement('CREATE INDEX orders_total_idx ON orders (total)', [lock('public.orders', 'ShareLock', ['writes'])]),
        statement('ALTER TABLE orders ALTER COLUMN total TYPE bigint', [lock('public.orders', 'AccessExclusiveLock', ['reads', 'writes'])], ['public.orders']),
        statement('ALTER TABLE countries ADD COLUMN x int', [lock('public.countries', 'AccessExclusiveLock', ['reads', 'writes'])]),
      ),
      SNAPSHOT,
      SETTINGS,
    );
    const [index] = locksOf(out, 0);
    expect(index!.impact).toMatchObject({ table: 'public.orders', rows: 1_000_000, bytes: 110 * 2 ** 20 + 22 * 2 ** 20, operation: 'index build' });
    const [lo, hi] = index!.impact!.estimateSeconds!;
    const point = pointEstimate('index build', { rows: 1_000_000, heapBytes: 110 * 2 ** 20, toastBytes: 0, indexCount: 1 }, THROUGHPUT);
    expect([lo < point, hi > point]).toEqual([true, true]);
    expect(index!.impact!.summary).toBe(`public.orders: 1,000,000 rows, 132 MB in production — blocks writes for an estimated ${formatRange([lo, hi])} (index build)`);
    expect(locksOf(out, 1)[0]!.impact).toMatchObject({ operation: 'rewrite', summary: expect.stringMatching(/blocks reads and writes for an estimated .* \(table rewrite\)$/) });
    // Only the lock itself: the wait for it is the bound (lock_timeout), never a guess.
    expect(locksOf(out, 2)[0]!.impact).toMatchObject({ operation: 'lock', estimateSeconds: [0, 5], summary: 'public.countries: 200 rows, 19 kB in production — blocks reads and writes while held, up to 5 s waiting for it (lock_timeout)' });
  });

  it('a foreign key holds the referenced table as long as it scans the referencing one', () => {
    const out = withTracedImpact(
      report(statement('ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (country_id) REFERENCES countries (id)', [lock('public.orders', 'ShareRowExclusiveLock', ['writes']), lock('public.countries', 'ShareRowExclusiveLock', ['writes'])])),
      SNAPSHOT,
      SETTINGS,
    );
    const [orders, countries] = locksOf(out);
    expect(orders!.impact!.estimateSeconds).toEqual(countries!.impact!.estimateSeconds);
    expect(countries!.impact!.summary).toMatch(/^public\.countries: 200 rows, .* \(validating scan of public\.orders\)$/);
    // From a table production does not have yet: the referenced table's lock has no guessed duration.
    const [, fromNew] = locksOf(withTracedImpact(report(statement('ALTER TABLE fresh ADD CONSTRAINT fk FOREIGN KEY (country_id) REFERENCES countries (id)', [lock('public.fresh', 'ShareRowExclusiveLock', ['writes']), lock('public.countries', 'ShareRowExclusiveLock', ['writes'])])), SNAPSHOT, SETTINGS));
    expect(fromNew!.impact).toMatchObject({ rows: 200, estimateSeconds: null, summary: expect.stringMatching(/validating scan of public\.fresh, which is not in the production snapshot: duration unknown$/) });
  });

  it('leaves alone what blocks nobody, what this dry-run created, and tables the snapshot does not know', () => {
    const input = report(
      statement('CREATE INDEX CONCURRENTLY i ON orders (total)', [lock('public.orders', 'ShareUpdateExclusiveLock', [])]),
      statement('CREATE INDEX i ON fresh (id)', [lock('public.fresh', 'ShareLock', ['writes'], { preExisting: false })]),
      statement('CREATE INDEX i ON ghost (id)', [lock('public.ghost', 'ShareLock', ['writes'])]),
      statement('ALTER INDEX orders_pkey RENAME TO p', [lock('public.orders_pkey', 'AccessExclusiveLock', ['reads', 'writes'], { kind: 'index' })]),
    );
    const out = withTracedImpact(input, SNAPSHOT, SETTINGS);
    for (let i = 0; i < 4; i++) expect(locksOf(out, i)[0]!.impact).toBeUndefined();
    expect(JSON.stringify(input)).not.toContain('impact');
  });
});

describe('estimates', () => {
  it('scale with size and read as ranges, not false precision', () => {
    const small = estimateRange('index build', { rows: 10_000, heapBytes: 1e6, toastBytes: 0, indexCount: 1 }, THROUGHPUT, 5);
    const big = estimateRange('index build', { rows: 1_000_000, heapBytes: 1e8, toastBytes: 0, indexCount: 1 }, THROUGHPUT, 5);
    expect(big[1] / small[1]).toBeGreaterThan(50);
    expect(formatRange([0.9, 5.4])).toBe('0.9–5.4 s');
    expect(formatRange([160, 960])).toBe('2.7–16 min');
    expect(formatRange([0, 5])).toBe('up to 5 s');
    expect(estimateRange('lock', { rows: 1e9, heapBytes: 1e12, toastBytes: 0, indexCount: 3 }, THROUGHPUT, 5)).toEqual([0, 5]);
  });
});

describe('snapshot file', () => {
  it('serialises in one key order whatever order the data came in', () => {
    const shuffled = { ...SNAPSHOT, tables: Object.fromEntries(Object.entries(SNAPSHOT.tables).reverse()) } as Snapshot;
    expect(serializeSnapshot(shuffled)).toBe(serializeSnapshot(SNAPSHOT));
    expect(Object.keys(JSON.parse(serializeSnapshot(shuffled)).tables)).toEqual(['public.archive', 'public.countries', 'public.orders']);
  });

  it('refuses what is not a snapshot, naming the file', () => {
    expect(() => validateSnapshot({ format: 'x' }, 'stats.json')).toThrow(/^stats\.json: not a ddlgate snapshot: "format" must be "ddlgate-snapshot\/1"/);
    expect(() => validateSnapshot({ ...SNAPSHOT, tables: { 'public.t': { rows: -1 } } }, 's.json')).toThrow(/table "public\.t": "rows"/);
  });

  it('identifier hashes are stable, and keyed ones differ', () => {
    expect(identifierHash('orders')).toBe(identifierHash('orders'));
    expect(identifierHash('orders')).toMatch(/^h_[0-9a-f]{12}$/);
    expect(identifierHash('orders', 'k')).not.toBe(identifierHash('orders'));
  });
});

describe('drift from the snapshot', () => {
  it('is none when the migrations produce production\'s schema, and names the objects otherwise', () => {
    expect(compareWithSnapshot(SNAPSHOT, CATALOG, 18).drifted).toBe(false);
    const migrations = { ...CATALOG, 'column public.orders.id': { type: 'integer', 'not null': 'yes' }, 'index public.orders_x_idx': { definition: 'CREATE INDEX …' } };
    const drift = compareWithSnapshot(SNAPSHOT, migrations, 15);
    expect(drift.drifted).toBe(true);
    expect(drift.differences).toEqual([
      { object: 'column public.orders.id', change: 'changed in production' },
      { object: 'index public.orders_x_idx', change: 'missing in production' },
    ]);
    expect(drift.notes[0]).toMatch(/production runs PostgreSQL 18, the check 15/);
  });
});
