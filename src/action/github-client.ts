/**
 * The GitHub API client of the action: @actions/github's octokit plus GitHub's own retry and
 * throttling plugins, so a single 5xx or a secondary rate limit does not cost the PR its report.
 * Waits follow GitHub's `retry-after` (throttling) or grow quadratically (retries of 5xx answers).
 * Every give-up is described by its real cause with the fix for that cause (describeGitHubError).
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { scrubSecrets } from '../secrets.js';

export type Octokit = ReturnType<typeof getOctokit>;

/** How many times a rate-limited request is retried after waiting as GitHub asks. */
export const RATE_LIMIT_RETRIES = 2;
/** Longest wait we accept for a rate limit (seconds); longer ones give up and say so. */
export const MAX_RATE_LIMIT_WAIT_S = 120;

export interface ClientLog {
  info(message: string): void;
}

/**
 * The base of the retry backoff in milliseconds (1 s, then 4 s, 9 s as the plugin does): a
 * self-hosted runner close to GitHub Enterprise may want it shorter, and so do the tests.
 */
function retryBase(): number {
  const value = Number(process.env.DDLGATE_GITHUB_RETRY_BASE_MS);
  return Number.isFinite(value) && value >= 0 && process.env.DDLGATE_GITHUB_RETRY_BASE_MS !== '' ? value : 1000;
}

export function createClient(token: string, log: ClientLog): Octokit {
  const base = retryBase();
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    if (retryCount >= RATE_LIMIT_RETRIES || retryAfter > MAX_RATE_LIMIT_WAIT_S) {
      log.info(`GitHub ${kind} on ${options.method} ${options.url}: giving up after ${retryCount + 1} attempt(s) (retry-after ${retryAfter} s)`);
      return false;
    }
    log.info(`GitHub ${kind} on ${options.method} ${options.url}: retrying in ${retryAfter} s as GitHub asks`);
    return true;
  };
  return getOctokit(
    token,
    {
      retry: { retries: 3, retryAfterBaseValue: base },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        // The retry-after values are seconds; the tests shrink them with the same knob as the retries.
        retryAfterBaseValue: base,
        fallbackSecondaryRateRetryAfter: 60,
      },
    },
    retry,
    throttling,
  );
}

/** What went wrong talking to GitHub, in words, with the fix for that case. */
export function describeGitHubError(error: unknown, doing: string): string {
  const err = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined>; data?: { message?: string } }; code?: string };
  const status = err.status;
  const apiMessage = (err.response?.data?.message ?? err.message ?? String(error)).split('\n')[0]!;
  const headers = err.response?.headers ?? {};
  let cause: string;
  if (status === 401) cause = `the token was refused (HTTP 401: ${apiMessage}); check the github-token input (an expired or revoked token)`;
  else if ((status === 403 || status === 429) && (/rate limit/i.test(apiMessage) || headers['x-ratelimit-remaining'] === '0' || headers['retry-after'])) {
    cause = `GitHub's ${/secondary/i.test(apiMessage) || headers['retry-after'] ? 'secondary ' : ''}rate limit (HTTP ${status}) persisted after ${RATE_LIMIT_RETRIES} waits; rerun the job later, or run fewer jobs with this token at once`;
  } else if (status === 403) cause = `permission denied (HTTP 403: ${apiMessage}); grant the job "permissions: pull-requests: write" (or give the token that scope; a GitHub App needs Pull requests: write)`;
  else if (status === 404) cause = `not found (HTTP 404); the token cannot see this repository or pull request (a token for another repository, or one without repository access)`;
  else if (status === 422) cause = `GitHub rejected the request (HTTP 422: ${apiMessage})`;
  else if (status && status >= 500) cause = `GitHub server error (HTTP ${status}) on every retry; rerun the job (see https://www.githubstatus.com)`;
  else cause = `GitHub could not be reached (${err.code ?? apiMessage}); check the runner's network access to ${process.env.GITHUB_API_URL || 'https://api.github.com'}`;
  return scrubSecrets(`${doing}: ${cause}`);
}
