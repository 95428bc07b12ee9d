/**
 * The deploy plan as a file: the dry-run of the plan job writes it (pending set and checksums), the
 * apply job reads it back and hands the pending set to the core, which refuses anything else.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../db/connection.js';
import { parsePlanFile, planTargetDifference, PLAN_FORMAT, renderPlanFile, type DeployPlan, type PlannedMigration } from '../db/deploy-plan.js';
import type { DryRunMigration } from '../db/dry-run.js';
import { claimedEnvironment } from '../db/identity.js';
import { InputError } from '../errors.js';
import { checksumOfFile } from '../migrations/script.js';

/** What a plan needs of each pending migration (a dry-run's migrations, or a read-only plan's). */
type PendingFile = Pick<DryRunMigration, 'version' | 'name' | 'path'>;

export function pendingOf(migrations: PendingFile[]): PlannedMigration[] {
  return migrations.map((m) => ({ version: m.version, name: m.name, checksum: checksumOfFile(m.path) }));
}

export function writePlan(file: string, environment: string | undefined, databaseUrl: string, migrations: PendingFile[]): DeployPlan {
  const plan: DeployPlan = { format: PLAN_FORMAT, environment: claimedEnvironment(environment), database: parseDatabaseUrl(databaseUrl).label, pending: pendingOf(migrations) };
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, renderPlanFile(plan));
  return plan;
}

/** Reads the approved plan and checks it was made for this environment and database. */
export function readPlanFor(file: string, environment: string | undefined, databaseUrl: string): DeployPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`input "plan-file": ${file} cannot be read (the plan job's artifact was not downloaded?)`);
  }
  const plan = parsePlanFile(text, file);
  const other = planTargetDifference(plan, claimedEnvironment(environment), parseDatabaseUrl(databaseUrl).label);
  if (other) throw new InputError(`input "plan-file": ${other}`);
  return plan;
}
