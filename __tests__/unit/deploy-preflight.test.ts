/** The pure decisions behind the deploy's preflight and plan/apply pair. */
import { parsePlanFile, planDifference, planTargetDifference, PLAN_FORMAT, renderPlanFile } from '../../src/db/deploy-plan.js';
import { claimedEnvironment, identityRefusal } from '../../src/db/identity.js';
import { protectionRefusal, replayBaseRefusal } from '../../src/action/preflight.js';

const sum = (c: string) => c.repeat(64);
const a = { version: '001', name: 'orders', checksum: sum('a') };
const b = { version: '002', name: 'invoices', checksum: sum('b') };

describe('planDifference', () => {
  it('accepts exactly the planned set and names every difference otherwise', () => {
    expect(planDifference([a, b], [a, b])).toBeNull();
    expect(planDifference([], [])).toBeNull();
    expect(planDifference([a], [a, b])).toContain('002_invoices is pending but was not in the plan');
    expect(planDifference([a, b], [a])).toContain('002_invoices is no longer pending');
    expect(planDifference([a], [{ ...a, checksum: sum('c') }])).toContain('001_orders changed since the plan (checksum aaaaaaaaaaaa… → cccccccccccc…)');
    expect(planDifference([a, b], [b, a])).toContain('in another order');
    expect(planDifference([a], [])).toMatch(/Nothing was applied/);
  });

  it('round-trips the plan file and refuses anything else, and a plan for another target', () => {
    const plan = { format: PLAN_FORMAT, environment: 'production', database: 'db:5432/shop', pending: [a] } as const;
    expect(parsePlanFile(renderPlanFile({ ...plan, pending: [a] }), 'plan.json')).toEqual(plan);
    expect(() => parsePlanFile('{', 'plan.json')).toThrow('plan.json: not a ddlgate plan (malformed JSON)');
    expect(() => parsePlanFile(JSON.stringify({ ...plan, pending: [{ ...a, checksum: 'x' }] }), 'p')).toThrow('p: not a ddlgate plan');
    expect(planTargetDifference({ ...plan, pending: [a] }, 'production', 'db:5432/shop')).toBeNull();
    expect(planTargetDifference({ ...plan, pending: [a] }, 'staging', 'db:5432/shop')).toContain('made for environment "production", this apply is for "staging"');
    expect(planTargetDifference({ ...plan, pending: [a] }, 'production', 'other:5432/shop')).toContain('made for database db:5432/shop');
  });
});

describe('identity decision', () => {
  const label = { environment: 'production', labelledAt: new Date('2026-01-02T00:00:00Z'), labelledBy: 'alice' };
  it('refuses another or a missing claim on a labelled database; a dry-run without a claim passes', () => {
    expect(identityRefusal(null, 'staging', 'apply', 'ddlgate')).toBeNull();
    expect(identityRefusal(label, 'production', 'apply', 'ddlgate')).toBeNull();
    expect(identityRefusal(label, 'staging', 'rollback', 'ddlgate')).toBe(
      'refused: this database is labelled environment "production" (ddlgate.environment_label, since 2026-01-02 by alice), but this rollback is for environment "staging". Nothing was run: check the database URL given for "staging" (if the database really changed role, relabel it with ddlgate label --environment staging --force).',
    );
    expect(identityRefusal(label, null, 'seed', 'ddlgate')).toContain('this seed names no environment; pass --environment production');
    expect(identityRefusal(label, null, 'dry-run', 'ddlgate')).toBeNull();
    expect(identityRefusal(label, 'staging', 'dry-run', 'ddlgate')).toContain('this dry-run is for environment "staging"');
  });

  it('takes the claim from the explicit value, else DDLGATE_ENV, never NODE_ENV', () => {
    expect(claimedEnvironment('staging', { DDLGATE_ENV: 'production' })).toBe('staging');
    expect(claimedEnvironment(undefined, { DDLGATE_ENV: 'production' })).toBe('production');
    expect(claimedEnvironment(undefined, { NODE_ENV: 'production' })).toBeNull();
    expect(claimedEnvironment('  ', {})).toBeNull();
  });
});

describe('protectionRefusal', () => {
  const none = { exists: true, reviewers: 0, waitTimerMinutes: 0 };
  it('refuses a production environment with no reviewers and no wait timer, or none at all, unless allowed', () => {
    expect(protectionRefusal('production', true, none, false)).toContain('has no required reviewers and no wait timer');
    expect(protectionRefusal('production', true, { ...none, exists: false }, false)).toContain('does not exist in this repository; GitHub would create it on first use with no protection');
    expect(protectionRefusal('production', true, { ...none, reviewers: 2 }, false)).toBeNull();
    expect(protectionRefusal('production', true, { ...none, waitTimerMinutes: 10 }, false)).toBeNull();
    expect(protectionRefusal('production', true, none, true)).toBeNull();
    expect(protectionRefusal('staging', false, none, false)).toBeNull();
  });
});

describe('replayBaseRefusal', () => {
  it('allows only loopback, a socket, or a bare service label inside a job container', () => {
    for (const url of ['postgresql://postgres@localhost:5432/postgres', 'postgres://u:p@127.0.0.1:5433/x', 'postgres://u@[::1]:5432/x', 'postgres:///x?host=/var/run/postgresql']) {
      expect({ url, refusal: replayBaseRefusal(url, false) }).toEqual({ url, refusal: null });
    }
    expect(replayBaseRefusal('postgres://postgres@postgres:5432/postgres', true)).toBeNull();
    expect(replayBaseRefusal('postgres://postgres@postgres:5432/postgres', false)).toContain('"postgres" is neither');
    for (const url of ['postgres://u:p@db.prod.internal:5432/shop', 'postgres://u:p@10.0.0.5/shop', 'postgres://u:p@db.example.com/x']) {
      expect(replayBaseRefusal(url, true)).toMatch(/^replay-base writes to the database, so it only runs against the job's own service container or localhost; ".+" is neither/);
    }
  });
});
