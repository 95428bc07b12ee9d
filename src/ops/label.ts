/** `ddlgate label`: show or set which environment a database belongs to (see db/identity.ts). */
import { InputError, OperationError } from '../errors.js';
import { readEnvironmentLabel, writeEnvironmentLabel, type EnvironmentLabel } from '../db/identity.js';
import { withMigrationSession, type SessionOptions } from '../db/session.js';

export interface LabelOptions extends SessionOptions {
  /** The environment to record; undefined only reads the label. */
  set?: string;
  /** Replace a label that names another environment. */
  force?: boolean;
}

export interface LabelResult {
  label: EnvironmentLabel | null;
  changed: boolean;
  previous: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export async function runLabel(options: LabelOptions): Promise<LabelResult> {
  if (options.set !== undefined && !NAME.test(options.set)) throw new InputError(`--environment: "${options.set.slice(0, 64)}" is not an environment name (letters, digits, . _ -)`);
  return withMigrationSession(options, async (session) => {
    const current = await readEnvironmentLabel(session.client, options.schema);
    if (options.set === undefined || current?.environment === options.set) return { label: current, changed: false, previous: current?.environment ?? null };
    if (current && !options.force) {
      throw new OperationError(`this database is already labelled environment "${current.environment}"; relabelling it "${options.set}" needs --force (do it only when the database really changed role)`);
    }
    const label = await writeEnvironmentLabel(session.client, options.schema, options.set, session.executedBy, { replace: true });
    return { label, changed: true, previous: current?.environment ?? null };
  });
}
