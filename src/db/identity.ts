/**
 * The database's environment identity. The tracking schema records which environment a database
 * belongs to (on its first apply with an environment, or with `ddlgate label`); every apply, rollback
 * and seed checks that label before its first statement, so a staging run handed a production URL
 * (a missing secret that fell through to another, a copy-pasted URL) is refused, naming both.
 *
 * This is a check in the core, not in a shell: the CLI, the action and any custom workflow that
 * calls either get it.
 */
import { OperationError } from '../errors.js';
import { quoteIdent, type Client } from './connection.js';

/** The single-row table holding the label (lives with the tracking tables). */
export function labelTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.environment_label (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  environment text NOT NULL CHECK (environment <> ''),
  labelled_at timestamptz NOT NULL DEFAULT now(),
  labelled_by text
)`;
}

export interface EnvironmentLabel {
  environment: string;
  labelledAt: Date;
  labelledBy: string | null;
}

/** dry-run changes nothing, but it takes the migrations' locks: a run for another environment is refused too. */
export type IdentityAction = 'apply' | 'rollback' | 'seed' | 'dry-run';

/**
 * The environment a run claims: the explicit --environment / action input, else DDLGATE_ENV.
 * NODE_ENV is not a claim about which database this is (it is an application's runtime mode, and
 * "production" on many developer machines), so it never labels a database nor passes the check.
 */
export function claimedEnvironment(explicit: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const value = (explicit ?? env.DDLGATE_ENV ?? '').trim();
  return value === '' ? null : value;
}

export async function readEnvironmentLabel(client: Client, schema: string): Promise<EnvironmentLabel | null> {
  const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${quoteIdent(schema)}.environment_label`]);
  if (!exists.rows[0]?.ok) return null;
  const result = await client.query(`SELECT environment, labelled_at, labelled_by FROM ${quoteIdent(schema)}.environment_label`);
  const row = result.rows[0];
  return row ? { environment: row.environment, labelledAt: row.labelled_at, labelledBy: row.labelled_by } : null;
}

export class EnvironmentMismatch extends OperationError {}

function describeLabel(label: EnvironmentLabel, schema: string): string {
  const when = label.labelledAt instanceof Date ? label.labelledAt.toISOString().slice(0, 10) : String(label.labelledAt);
  return `this database is labelled environment "${label.environment}" (${schema}.environment_label, since ${when}${label.labelledBy ? ` by ${label.labelledBy}` : ''})`;
}

/** Pure decision, for the shells and tests: the refusal message, or null when the run may go on. */
export function identityRefusal(label: EnvironmentLabel | null, claimed: string | null, action: IdentityAction, schema: string): string | null {
  if (!label) return null;
  // A dry-run without an environment (a developer's `ddlgate dry-run`) makes no claim to check.
  if (claimed === null && action !== 'dry-run') {
    return `refused: ${describeLabel(label, schema)}, and this ${action} names no environment; pass --environment ${label.environment} (action input environment, or DDLGATE_ENV) if this is the database you meant. Nothing was run.`;
  }
  if (claimed !== null && claimed !== label.environment) {
    return `refused: ${describeLabel(label, schema)}, but this ${action} is for environment "${claimed}". Nothing was run: check the database URL given for "${claimed}" (if the database really changed role, relabel it with ddlgate label --environment ${claimed} --force).`;
  }
  return null;
}

/**
 * Called by apply, rollback and seed right after the migration lock is taken, before any statement of
 * theirs. Throws EnvironmentMismatch (exit 1) when the label names another environment. On a database
 * without a label, an apply with a claimed environment records it (the first apply labels the database).
 */
export async function enforceEnvironmentIdentity(client: Client, schema: string, explicit: string | null | undefined, action: IdentityAction, labelledBy: string): Promise<void> {
  const claimed = claimedEnvironment(explicit);
  const label = await readEnvironmentLabel(client, schema);
  const refusal = identityRefusal(label, claimed, action, schema);
  if (refusal) throw new EnvironmentMismatch(refusal);
  if (!label && claimed !== null && action === 'apply') await writeEnvironmentLabel(client, schema, claimed, labelledBy, { replace: false });
}

/** `ddlgate label`: sets the label; an existing different label is only replaced with `replace`. */
export async function writeEnvironmentLabel(client: Client, schema: string, environment: string, labelledBy: string, { replace }: { replace: boolean }): Promise<EnvironmentLabel> {
  const s = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}; ${labelTableDdl(schema)}`);
  const conflict = replace ? 'DO UPDATE SET environment = EXCLUDED.environment, labelled_at = now(), labelled_by = EXCLUDED.labelled_by' : 'DO NOTHING';
  await client.query(`INSERT INTO ${s}.environment_label (environment, labelled_by) VALUES ($1, $2) ON CONFLICT (singleton) ${conflict}`, [environment, labelledBy]);
  return (await readEnvironmentLabel(client, schema))!;
}
