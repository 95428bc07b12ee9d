/**
 * dry-run with `read-only: true`: the deploy's plan made with read-only credentials. Everything a
 * SELECT-only role can tell — the pending set and checksums (the plan file apply re-checks), the lint
 * of the pending migrations against the real catalog, impact estimated from the database's own
 * statistics — and a plain statement that the lock trace, which executes the DDL, was not run.
 */
import path from 'node:path';
import { readOnlyPlan } from '../ops/read-only-plan.js';
import { statusJson } from '../db/status-query.js';
import { REFERENCE_THROUGHPUT } from '../impact/estimate.js';
import { impactSettings, lintWithSnapshot } from '../impact/with-snapshot.js';
import { lintAgainstCatalog, resolveLintSettings, type LintResult } from '../lint/index.js';
import { plural, type ReportModel } from '../report/model.js';
import { writePlan } from './plan-file.js';
import { baseModel, lintFailure, reportFiles, type Outcome, type StepEnv } from './steps.js';

export const LOCK_TRACE_NOT_RUN = 'Read-only plan: the lock trace needs the migration role and was not run — it executes each statement (rolled back) to see the locks and rewrites PostgreSQL really takes. The findings below come from the lint against the real catalog, the sizes and durations from the database\'s own statistics.';

export async function runReadOnlyPlan(env: StepEnv): Promise<Outcome> {
  const { inputs } = env;
  const plan = await readOnlyPlan({ databaseUrl: inputs.databaseUrl!, dir: env.dir, schema: env.schema, environment: inputs.environment ?? null, ...(env.set ? { set: env.set } : {}) });
  const settings = resolveLintSettings(env.config, { allowBreaking: inputs.allowBreaking, ...(env.configPath ? { configPath: env.configPath } : {}) });
  const only = new Set(plan.pending.map((m) => path.resolve(m.upPath)));
  let lint: LintResult = plan.pending.length ? lintAgainstCatalog(env.dir, settings, { catalog: plan.catalog, applied: plan.applied, only }) : { files: [], summary: { errors: 0, warnings: 0, infos: 0 } };
  lint = lintWithSnapshot(lint, plan.snapshot, impactSettings(env.config, REFERENCE_THROUGHPUT, inputs.lockTimeoutMs));
  if (inputs.planFile) {
    const written = writePlan(inputs.planFile, inputs.environment, inputs.databaseUrl!, plan.pending.map((m) => ({ version: m.version, name: m.name, path: m.upPath })));
    env.log(`plan (read-only): ${written.pending.length} pending migration(s) for ${written.environment ?? 'no environment'} written to ${inputs.planFile}`);
  }
  const failure = lintFailure(lint, inputs.failOn);
  const counts = `${plural(lint.summary.errors, 'error')}, ${plural(lint.summary.warnings, 'warning')}`;
  const model: ReportModel = {
    ...baseModel(env),
    command: 'plan (read-only)',
    files: reportFiles(env, lint, undefined, 'pending'),
    operation: {
      headline: plan.pending.length ? `Read-only plan — ${plural(plan.pending.length, 'pending migration')}, ${counts}; lock trace not run` : 'Read-only plan — nothing pending, the database is up to date',
      ok: !failure,
      details: plan.pending.map((m) => `pending ${m.version}_${m.name} (sha256 ${m.checksum.slice(0, 12)}…)`),
    },
  };
  model.notes!.push(LOCK_TRACE_NOT_RUN, `Statistics read from the database itself (${Object.keys(plan.snapshot.tables).length} tables); durations from ${REFERENCE_THROUGHPUT.source}, hence ranges.`);
  const json = { lint, plan: { readOnly: true, lockTrace: 'not run: needs the migration role', pending: plan.pending.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })) }, status: statusJson(plan.status) };
  return { model, json, lint, pending: plan.pending.length, ...(failure ? { failure } : {}) };
}
