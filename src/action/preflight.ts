/**
 * Checks a deploy makes before anyone is asked to approve it, and before any database connection:
 * - the target environment's protection rules, read through the REST API: an environment that is
 *   production (by name, or `protected: true`) with neither required reviewers nor a wait timer is
 *   refused — GitHub creates a missing environment on first use *without* protection, and some plans
 *   cannot put required reviewers on a private repository — unless the caller sets the loudly named
 *   input `allow-unprotected-production: true`;
 * - replay-base writes, so it only ever targets a throwaway server: the job's own service container
 *   or localhost.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { InputError, OperationError } from '../errors.js';
import type { Octokit } from './comment.js';

export interface EnvironmentProtection {
  exists: boolean;
  /** Reviewers listed on a required_reviewers rule. */
  reviewers: number;
  waitTimerMinutes: number;
}

interface ProtectionRule {
  type?: string;
  wait_timer?: number;
  reviewers?: unknown[];
}

/** The rules GitHub reports for an environment; needs `actions: read` on a private repository. */
export async function readEnvironmentProtection(octokit: Octokit, owner: string, repo: string, environment: string): Promise<EnvironmentProtection> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/environments/{environment_name}', { owner, repo, environment_name: environment });
    const rules = ((data as { protection_rules?: ProtectionRule[] }).protection_rules ?? []) as ProtectionRule[];
    let reviewers = 0;
    let waitTimerMinutes = 0;
    for (const rule of rules) {
      if (rule.type === 'required_reviewers') reviewers += Array.isArray(rule.reviewers) ? rule.reviewers.length : 0;
      if (rule.type === 'wait_timer') waitTimerMinutes = Math.max(waitTimerMinutes, Number(rule.wait_timer) || 0);
    }
    return { exists: true, reviewers, waitTimerMinutes };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return { exists: false, reviewers: 0, waitTimerMinutes: 0 };
    throw new OperationError(
      `preflight: could not read the protection rules of environment "${environment}" (${status ? `HTTP ${status}` : 'no answer'}); the job needs "permissions: actions: read" and a github-token`,
    );
  }
}

/** Null when the deploy may go on; else the one-line refusal. */
export function protectionRefusal(environment: string, production: boolean, protection: EnvironmentProtection, allowUnprotected: boolean): string | null {
  if (!production || allowUnprotected) return null;
  if (!protection.exists) {
    return `preflight: environment "${environment}" does not exist in this repository; GitHub would create it on first use with no protection at all. Create it with required reviewers (Settings → Environments), or set allow-unprotected-production: true to deploy without a human gate`;
  }
  if (protection.reviewers === 0 && protection.waitTimerMinutes === 0) {
    return `preflight: environment "${environment}" is production but has no required reviewers and no wait timer, so nothing stops a deploy. Add required reviewers (Settings → Environments → ${environment}), or set allow-unprotected-production: true to deploy without a human gate`;
  }
  return null;
}

export function describeProtection(environment: string, protection: EnvironmentProtection): string {
  if (!protection.exists) return `environment "${environment}": does not exist (GitHub would create it unprotected)`;
  const parts = [`${protection.reviewers} required reviewer(s)`, `wait timer ${protection.waitTimerMinutes} min`];
  return `environment "${environment}": ${parts.join(', ')}`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Inside a job container, service containers are reached by their label: a bare host name. */
export function inJobContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

/**
 * replay-base applies migrations, so the URL must name a throwaway server: localhost (a service
 * container's mapped port, or a server on the runner), a Unix socket, or — when the job itself runs in
 * a container — a bare service label such as `postgres`. Anything else (a dotted name, another IP) may
 * be a shared database and is refused before any connection.
 */
export function replayBaseRefusal(databaseUrl: string, containerJob = inJobContainer()): string | null {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new InputError('input "database-url": malformed; expected postgres://user:password@host:5432/database');
  }
  const socketHost = url.searchParams.get('host');
  const host = (url.hostname || socketHost || 'localhost').toLowerCase();
  if (LOOPBACK.has(host) || host.startsWith('/') || (isIP(host) === 4 && host.startsWith('127.'))) return null;
  if (containerJob && /^[a-z0-9][a-z0-9_-]*$/.test(host)) return null;
  return `replay-base writes to the database, so it only runs against the job's own service container or localhost; "${host}" is neither. Nothing was run: point database-url at the service container, or turn replay-base off`;
}
