import { compileScript } from '../../src/migrations/script.js';
import { describeBlocker } from '../../src/db/apply.js';
import { lockTimeoutForAttempt, retryDelayMs } from '../../src/db/lock-policy.js';
import { planSteps, sessionReplay } from '../../src/db/steps.js';
import { loadParser } from '../../src/sql/parser.js';
import { parseSqlStatements } from '../../src/sql/statements.js';

beforeAll(async () => {
  await loadParser();
});

const script = (sql: string) => ({ path: 'm.sql', statements: parseSqlStatements(sql).statements });

describe('planSteps: exactly once by construction', () => {
  it('runs every statement that can be in a transaction in its own, and only PostgreSQL-refused ones bare', () => {
    const steps = planSteps(
      script(`INSERT INTO t SELECT 1;
CREATE TABLE s AS SELECT 1;
CREATE UNIQUE INDEX CONCURRENTLY t_id ON app.t (id);
ALTER TABLE t ADD CONSTRAINT t_id UNIQUE USING INDEX t_id;
VACUUM t;
ALTER TYPE mood ADD VALUE 'ok';
DROP INDEX CONCURRENTLY old_idx;
CREATE INDEX CONCURRENTLY ON t (x);`),
      150000,
    );
    expect(steps.map((s) => [s.kind, s.from, s.to, s.kind === 'bare' ? s.completion.kind : ''])).toEqual([
      ['transaction', 0, 1, ''],
      ['transaction', 1, 2, ''],
      ['bare', 2, 3, 'index-built'],
      ['transaction', 3, 4, ''],
      ['bare', 4, 5, 'repeatable'],
      ['transaction', 5, 6, ''],
      ['bare', 6, 7, 'index-dropped'],
      ['bare', 7, 8, 'unknown'],
    ]);
    const index = steps[2]!;
    expect(index.kind === 'bare' && index.completion).toEqual({ kind: 'index-built', index: { schema: 'app', name: 't_id', table: '"app"."t"' } });
  });

  it('ALTER TYPE … ADD VALUE is bare before PostgreSQL 12, with its completion read from pg_enum', () => {
    const [step] = planSteps(script(`ALTER TYPE app.mood ADD VALUE 'ok'`), 110000);
    expect(step).toMatchObject({ kind: 'bare', completion: { kind: 'enum-value', type: { schema: 'app', name: 'mood' }, label: 'ok' } });
  });

  it('a BEGIN … COMMIT block written in the file is one step (progress after its COMMIT)', () => {
    const steps = planSteps(script(`CREATE INDEX CONCURRENTLY i ON t (x);\nBEGIN;\nUPDATE t SET x = 1;\nUPDATE t SET y = 2;\nCOMMIT;\nCREATE TABLE u (id int);`), 180000);
    expect(steps.map((s) => [s.kind, s.from, s.to, s.kind === 'transaction' ? s.statements.length : 1])).toEqual([
      ['bare', 0, 1, 1],
      ['transaction', 1, 5, 2],
      ['transaction', 5, 6, 1],
    ]);
    expect(() => planSteps(script('BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\nCOMMIT;'), 180000)).toThrow(/m\.sql:2: CREATE INDEX CONCURRENTLY cannot run inside BEGIN/);
    expect(() => planSteps(script('BEGIN;\nUPDATE t SET x = 1;'), 180000)).toThrow(/m\.sql:1: BEGIN without COMMIT/);
  });
});

describe('sessionReplay: the session a resumed statement had', () => {
  it('replays SET, SET ROLE, search_path and set_config selects; skips SET LOCAL', () => {
    const s = script(`SET search_path TO app, public;
SET LOCAL lock_timeout = '1s';
SET ROLE app_owner;
SELECT set_config('app.tenant', '7', false);
CREATE INDEX CONCURRENTLY i ON other (x);
CREATE INDEX CONCURRENTLY j ON other (y);`);
    const replay = sessionReplay(s, 5);
    expect(replay.ok && replay.statements.map((st) => st.line)).toEqual([1, 3, 4]);
  });

  it('refuses what it cannot rebuild: a temporary table, set_config inside a larger query or a DO block', () => {
    expect(sessionReplay(script('CREATE TEMP TABLE scratch (id int);\nCREATE INDEX CONCURRENTLY i ON t (x);'), 1)).toEqual({ ok: false, reason: 'm.sql:1 created a temporary object, which ended with the interrupted session' });
    expect(sessionReplay(script(`SELECT set_config('search_path', value, false) FROM settings;\nSELECT 1;`), 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/m\.sql:1 changes session settings inside a larger statement \(SelectStmt\)/) });
    expect(sessionReplay(script(`DO $$ BEGIN EXECUTE 'SET ROLE app'; END $$;\nSELECT 1;`), 1)).toMatchObject({ ok: false });
  });
});

describe('lock policy', () => {
  it('escalates lock_timeout from 100 ms, doubling up to the configured maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => lockTimeoutForAttempt(n, { lockTimeoutMs: 500 }))).toEqual([100, 200, 400, 500, 500]);
    expect(lockTimeoutForAttempt(1, { lockTimeoutMs: 50 })).toBe(50);
  });
  it('jitters the backoff within ±50% of 250 ms × 2^(n-1), capped at 8 s', () => {
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(1);
      expect(d).toBeGreaterThanOrEqual(125);
      expect(d).toBeLessThanOrEqual(375);
      expect(retryDelayMs(10)).toBeLessThanOrEqual(12_000);
    }
  });
  it('names a waited-for transaction without ever printing a literal (a password may be one)', () => {
    const text = describeBlocker({ pid: 42, app: 'report', state: 'idle in transaction', age: 21, query: "ALTER ROLE x PASSWORD 'hunter2-secret'; SELECT 1" });
    expect(text).toBe("pid 42 (report, idle in transaction, transaction open 21 s: ALTER ROLE x PASSWORD '…'; SELECT 1)");
    expect(text).not.toContain('hunter2');
  });
});

describe('compileScript stays the parser of record', () => {
  it('a no-transaction file keeps its statements in order for planSteps', () => {
    const compiled = compileScript('x.sql', '-- ddlgate:no-transaction\nINSERT INTO t SELECT 1;\nCREATE INDEX CONCURRENTLY i ON t (x);');
    expect(planSteps(compiled, 180000).map((s) => s.kind)).toEqual(['transaction', 'bare']);
  });
});
