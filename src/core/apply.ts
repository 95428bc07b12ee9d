/**
 * The one apply pipeline both shells run (the CLI's `up`, the action's `apply`): after the migration lock is
 * taken and the pending migrations are known — drift check (a warning, or a refusal with failOnDrift) →
 * backup (or its recorded absence) → the shell's last word (the action's review window) → every pending
 * migration, the last one recording the schema fingerprint later drift checks compare with.
 * The shells only resolve settings, build the MigrationSet and render the result.
 */
import { catalogFingerprint } from '../db/catalog.js';
import { driftBeforeApply, type DriftReport } from '../db/drift.js';
import type { MigrationSession } from '../db/session.js';
import { MigrationFailed, runUp, type UpOptions, type UpResult } from '../db/up.js';
import { OperationError } from '../errors.js';
import { backupInSession, recordSkippedBackup, type BackupResult } from '../ops/backup.js';

export interface ApplyOptions extends Omit<UpOptions, 'beforeApply' | 'fingerprint'> {
  /** Refuse to apply when the live schema differs from the recorded fingerprint (default: a warning). */
  failOnDrift?: boolean;
  /** pg_dump to this file before applying, or the reason none is taken (recorded in the history). */
  backup?: { file: string } | { skipped: string };
  /** Runs after drift and backup, before the first statement (the action's review window). */
  beforeFirstStatement?: (session: MigrationSession, pendingVersions: string[]) => Promise<void>;
}

export interface ApplyResult extends UpResult {
  backup?: BackupResult;
  drift?: DriftReport;
}

/** No backup, no apply: safe by default. Nothing has been applied when this is thrown. */
export class BackupFailed extends OperationError {
  /** What pg_dump (or the disk) said, without the "nothing was applied" preamble. */
  readonly reason: string;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`backup before apply failed, nothing was applied: ${reason}`);
    this.reason = reason;
  }
}

export async function applyPending(options: ApplyOptions): Promise<ApplyResult> {
  let backup: BackupResult | undefined;
  let drift: DriftReport | undefined;
  const { failOnDrift, backup: backupPlan, beforeFirstStatement, ...up } = options;
  const run = runUp({
    ...up,
    fingerprint: (client) => catalogFingerprint(client, options.schema),
    beforeApply: async (session, pending) => {
      drift = await driftBeforeApply(session.client, { ...up, failOnDrift: Boolean(failOnDrift) });
      if (backupPlan && 'skipped' in backupPlan) await recordSkippedBackup(session, backupPlan.skipped);
      else if (backupPlan) {
        try {
          backup = await backupInSession(session, backupPlan.file);
        } catch (error) {
          throw new BackupFailed(backupPlan.file, error);
        }
      }
      await beforeFirstStatement?.(session, pending);
    },
  });
  let result: UpResult;
  try {
    result = await run;
  } catch (error) {
    // A failure part-way still tells what was backed up first (the report shows it with the failure).
    if (error instanceof MigrationFailed && backup) (error.result as ApplyResult).backup = backup;
    throw error;
  }
  return { ...result, ...(backup ? { backup } : {}), ...(drift ? { drift } : {}) };
}
