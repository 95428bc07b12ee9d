/**
 * The default lock policy: short, escalating lock timeouts with jittered backoff, so application queries
 * queued behind a waiting DDL wait well under a second per attempt (GitLab's lock retries start at 100 ms;
 * pgroll defaults to 500 ms). Concurrent index builds are on their own clock (no lock_timeout).
 */
export const DEFAULT_LOCK_TIMEOUT = '500ms';
export const LOCK_TIMEOUT_START_MS = 100;
export const DEFAULT_LOCK_RETRIES = 10;
export const DEFAULT_INDEX_TIMEOUT = '4h';
export const DEFAULT_INDEX_TIMEOUT_MS = 4 * 3600_000;
export const WAIT_REPORT_MS = 10_000;

/** Attempt n's lock_timeout: 100 ms, 200 ms, 400 ms … capped at the configured lock timeout. */
export function lockTimeoutForAttempt(attempt: number, settings: { lockTimeoutMs: number; lockTimeoutStartMs?: number }): number {
  const start = Math.min(settings.lockTimeoutStartMs ?? LOCK_TIMEOUT_START_MS, settings.lockTimeoutMs);
  return Math.min(start * 2 ** (attempt - 1), settings.lockTimeoutMs);
}

/** Backoff between lock-timeout retries: 0.25 s, 0.5 s, 1 s … capped at 8 s, jittered ±50% so runners do not retry in step. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(250 * 2 ** (attempt - 1), 8_000);
  return Math.round(base * (0.5 + Math.random()));
}
