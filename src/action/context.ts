/**
 * What the action needs to know about the workflow run: the event, the repository, the pull request
 * (number, head SHA, whether it comes from a fork) and how to turn a file into a repository path.
 */
import path from 'node:path';
import { context } from '@actions/github';

export interface PullRequestInfo {
  number: number;
  headSha: string;
  /** Head repository ≠ base repository: the token is read-only and secrets are absent. */
  fork: boolean;
}

export interface RunContext {
  eventName: string;
  owner?: string;
  repo?: string;
  serverUrl: string;
  sha?: string;
  runUrl?: string;
  pullRequest?: PullRequestInfo;
  /** The checkout: repository paths are relative to it. */
  workspace: string;
}

export function readRunContext(): RunContext {
  const payload = context.payload as Record<string, any>;
  const eventName = context.eventName ?? '';
  let owner: string | undefined;
  let repo: string | undefined;
  try {
    ({ owner, repo } = context.repo);
  } catch {
    // No GITHUB_REPOSITORY and no repository in the payload: a local run; links and comments are off.
  }
  const serverUrl = (context.serverUrl || 'https://github.com').replace(/\/+$/, '');
  const run: RunContext = { eventName, serverUrl, workspace: path.resolve(process.env.GITHUB_WORKSPACE || process.cwd()) };
  if (owner && repo) Object.assign(run, { owner, repo });
  if (context.sha) run.sha = context.sha;
  if (owner && repo && Number.isFinite(context.runId)) run.runUrl = `${serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const pr = payload.pull_request;
  if (pr && typeof pr.number === 'number') {
    const baseRepo = pr.base?.repo?.full_name;
    const headRepo = pr.head?.repo?.full_name;
    // A deleted fork has head.repo null: treat it as a fork (its token is read-only all the same).
    run.pullRequest = { number: pr.number, headSha: pr.head?.sha ?? context.sha ?? '', fork: !headRepo || headRepo !== baseRepo };
  }
  return run;
}
