import type { DryRunReport } from '../../src/db/dry-run.js';
import { blockedBy, expectedLocks, lockModeLabel, markHeldLocks, sizeText } from '../../src/db/lock-trace.js';
import { formatBytes } from '../../src/units.js';
import { loadParser } from '../../src/sql/parser.js';
import { parseSqlStatements } from '../../src/sql/statements.js';

beforeAll(async () => {
  await loadParser();
});

const first = (sql: string) => parseSqlStatements(sql).statements[0]!;

describe('lock trace helpers', () => {
  it('knows what each lock mode blocks', () => {
    expect(blockedBy('AccessExclusiveLock')).toEqual(['reads', 'writes']);
    expect(blockedBy('ShareLock')).toEqual(['writes']);
    expect(blockedBy('ShareRowExclusiveLock')).toEqual(['writes']);
    expect(blockedBy('ShareUpdateExclusiveLock')).toEqual([]);
    expect(blockedBy('RowExclusiveLock')).toEqual([]);
    expect(lockModeLabel('ShareUpdateExclusiveLock')).toBe('SHARE UPDATE EXCLUSIVE');
  });

  it('infers the lock a statement needs on the relation it names', () => {
    expect(expectedLocks(first('ALTER TABLE s.t ADD COLUMN x int'))).toEqual([{ schema: 's', name: 't', mode: 'AccessExclusiveLock' }]);
    expect(expectedLocks(first('ALTER TABLE t VALIDATE CONSTRAINT c'))).toEqual([{ name: 't', mode: 'ShareUpdateExclusiveLock' }]);
    expect(expectedLocks(first('ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID'))).toEqual([{ name: 't', mode: 'ShareRowExclusiveLock' }]);
    expect(expectedLocks(first('CREATE INDEX i ON t (a)'))).toEqual([{ name: 't', mode: 'ShareLock' }]);
    expect(expectedLocks(first('CREATE INDEX CONCURRENTLY i ON t (a)'))).toEqual([{ name: 't', mode: 'ShareUpdateExclusiveLock' }]);
    expect(expectedLocks(first('LOCK TABLE t IN SHARE MODE'))).toEqual([{ name: 't', mode: 'ShareLock' }]);
    expect(expectedLocks(first('DROP TABLE a, s.b'))).toEqual([
      { name: 'a', mode: 'AccessExclusiveLock' },
      { schema: 's', name: 'b', mode: 'AccessExclusiveLock' },
    ]);
    expect(expectedLocks(first('UPDATE t SET a = 1'))).toEqual([{ name: 't', mode: 'RowExclusiveLock' }]);
    expect(expectedLocks(first('SELECT 1'))).toEqual([]);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(4_500_000)).toBe('4.3 MB');
    expect(sizeText({ rows: 100000, sizeBytes: 4_500_000 })).toBe('~100,000 rows, 4.3 MB');
    expect(sizeText({ rows: null, sizeBytes: null })).toBe('size unknown');
  });

  it('flags a blocking lock held while later statements of a transactional migration run', () => {
    const lock = { relation: 'public.t', mode: 'AccessExclusiveLock', blocks: ['reads', 'writes'], preExisting: true, kind: 'table' };
    const statement = (line: number, locks: unknown[] = []) => ({ line, sql: 'x', durationMs: 10, locks, rewrites: [] }) as any;
    const report: DryRunReport = {
      ok: true,
      migrations: [
        { version: '1', name: 'a', path: 'a', ok: true, error: null, durationMs: 0, transactional: true, statements: [statement(1, [lock]), statement(2), statement(3)] },
        { version: '2', name: 'b', path: 'b', ok: true, error: null, durationMs: 0, transactional: false, statements: [statement(1, [lock]), statement(2)] },
        { version: '3', name: 'c', path: 'c', ok: true, error: null, durationMs: 0, transactional: true, statements: [statement(1, [{ ...lock, preExisting: false }]), statement(2)] },
      ],
    };
    markHeldLocks(report);
    const flags = report.migrations.map((m) => m.statements.map((s) => ((s.flags as any[]) ?? []).map((f) => f.kind)));
    expect(flags).toEqual([[['lock-held'], [], []], [[], []], [[], []]]);
    expect((report.migrations[0]!.statements[0]!.flags as any[])[0].message).toBe(
      'ACCESS EXCLUSIVE on public.t stays held while 2 later statement(s) run (lines 2–3, 20 ms in the dry-run): it blocks reads and writes until COMMIT',
    );
  });
});
