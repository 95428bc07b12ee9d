/**
 * The plan/apply pair of a deploy: the plan job records exactly which migrations are pending (version,
 * name, checksum of the file); reviewers approve that plan; the apply refuses, inside the migration lock
 * and before any statement, when the pending set is not exactly the planned one — a migration added,
 * removed, edited or applied by someone else between plan and approval.
 *
 * Pure: reading and writing the file is the shells' job.
 */
import { InputError } from '../errors.js';

export const PLAN_FORMAT = 'ddlgate-plan/1';

export interface PlannedMigration {
  version: string;
  name: string;
  checksum: string;
}

export interface DeployPlan {
  format: typeof PLAN_FORMAT;
  /** The environment the plan was made for (the apply must be for the same one). */
  environment: string | null;
  /** host:port/database of the planned database (never a password). */
  database: string;
  pending: PlannedMigration[];
}

export function plannedOf(migrations: ReadonlyArray<PlannedMigration>): PlannedMigration[] {
  return migrations.map(({ version, name, checksum }) => ({ version, name, checksum }));
}

const id = (m: PlannedMigration) => `${m.version}_${m.name}`;

/** Null when the pending set is exactly the planned one (same migrations, same order, same checksums). */
export function planDifference(planned: ReadonlyArray<PlannedMigration>, now: ReadonlyArray<PlannedMigration>): string | null {
  const differences: string[] = [];
  const nowByVersion = new Map(now.map((m) => [m.version, m]));
  const plannedVersions = new Set(planned.map((m) => m.version));
  for (const m of planned) {
    const current = nowByVersion.get(m.version);
    if (!current) differences.push(`${id(m)} is no longer pending`);
    else if (current.checksum !== m.checksum) differences.push(`${id(m)} changed since the plan (checksum ${m.checksum.slice(0, 12)}… → ${current.checksum.slice(0, 12)}…)`);
  }
  for (const m of now) if (!plannedVersions.has(m.version)) differences.push(`${id(m)} is pending but was not in the plan`);
  if (differences.length === 0 && planned.map((m) => m.version).join() !== now.map((m) => m.version).join()) differences.push('the pending migrations are in another order');
  if (differences.length === 0) return null;
  return `the pending migrations are not the ones the plan showed: ${differences.join('; ')}. Nothing was applied: run the deploy again so that a new plan is made and approved`;
}

export function renderPlanFile(plan: DeployPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function parsePlanFile(text: string, file: string): DeployPlan {
  let data: any;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(`${file}: not a ddlgate plan (malformed JSON)`);
  }
  const ok =
    data?.format === PLAN_FORMAT &&
    (data.environment === null || typeof data.environment === 'string') &&
    typeof data.database === 'string' &&
    Array.isArray(data.pending) &&
    data.pending.every((m: any) => typeof m?.version === 'string' && typeof m?.name === 'string' && /^[0-9a-f]{64}$/.test(m?.checksum ?? ''));
  if (!ok) throw new InputError(`${file}: not a ddlgate plan (expected {"format": "${PLAN_FORMAT}", "environment", "database", "pending": [{version, name, checksum}]})`);
  return { format: PLAN_FORMAT, environment: data.environment, database: data.database, pending: plannedOf(data.pending) };
}

/** The plan must be for this environment and this database: a plan of staging never approves production. */
export function planTargetDifference(plan: DeployPlan, environment: string | null, database: string): string | null {
  if (plan.environment !== environment) return `the plan was made for environment ${JSON.stringify(plan.environment)}, this apply is for ${JSON.stringify(environment)}; nothing was applied`;
  if (plan.database !== database) return `the plan was made for database ${plan.database}, this apply connects to ${database}; nothing was applied`;
  return null;
}
