import { applyImpact, DEFAULT_IMPACT_SETTINGS, type FindingWithImpact, type ImpactSettings } from '../../src/impact/apply.js';
import { compareWithSnapshot, objectHashes } from '../../src/impact/drift.js';
import { estimateRange, formatRange, pointEstimate, type Throughput } from '../../src/impact/estimate.js';
import { canonicalSnapshot, identifierHash, redactSnapshot, serializeSnapshot, validateSnapshot, SNAPSHOT_FORMAT, type Snapshot, type SnapshotTable } from '../../src/impact/snapshot.js';
import { migrationTargets } from '../../src/impact/targets.js';
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
    expect(finding!.impact).toEqual({ table: 'public.countries', rows: 200, bytes: 16_384 + 3277, estimateSeconds: expect.any(Array) });
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
    expect(fresh!.impact).toEqual({ table: 'public.fresh', rows: null, bytes: null, estimateSeconds: null });
    expect(ghost!.severity).toBe('error');
    expect(ghost!.message).toMatch(/— public\.ghost is not in the production snapshot \(2026-11-30\): its size in production is unknown$/);
    expect(ghost!.impact).toEqual({ table: 'public.ghost', rows: null, bytes: null, estimateSeconds: null });
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
