/**
 * The sticky PR comment: one per migrations directory, found by its marker on the first line AND by
 * the identity the token writes as (a marker copied into another account's comment is never edited),
 * updated in place, and not written at all when the body has not changed.
 */
import type { Octokit } from './github-client.js';

export type { Octokit } from './github-client.js';

/** The author GITHUB_TOKEN comments as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged';
  url: string;
  id: number;
  /** Older comments of ours with the same marker that this run removed (duplicates of earlier runs). */
  removed: number;
}

export interface Identity {
  /** The login as the REST API shows it on comments: `octocat`, `github-actions[bot]`, `my-app[bot]`. */
  login: string;
  /** How it was learned: GET /user (a user token), GraphQL viewer (an installation token), or a guess. */
  source: 'user' | 'viewer' | 'fallback';
}

/**
 * The login the token writes comments as. A personal token may call GET /user. Installation tokens
 * (GITHUB_TOKEN and a GitHub App's token) get 403 there, but GraphQL's `viewer` names the Bot they
 * act as — without the `[bot]` suffix the REST API puts on bot logins. Only when both fail is
 * github-actions[bot] assumed (and the caller warns).
 */
export async function ownIdentity(octokit: Octokit): Promise<Identity> {
  const known = identities.get(octokit);
  if (known) return known;
  const identity = await learnIdentity(octokit);
  identities.set(octokit, identity);
  return identity;
}

/** One lookup per client and run (the comment and the review suggestions share it). */
const identities = new WeakMap<Octokit, Identity>();

async function learnIdentity(octokit: Octokit): Promise<Identity> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    if (data?.login) return { login: data.login, source: 'user' };
  } catch (error) {
    if (!isAuthRefusal(error)) throw error;
  }
  try {
    const result = await octokit.graphql<{ viewer?: { login?: string; __typename?: string } }>('query { viewer { login __typename } }');
    const viewer = result.viewer;
    if (viewer?.login) {
      const bot = viewer.__typename === 'Bot' && !viewer.login.endsWith('[bot]');
      return { login: bot ? `${viewer.login}[bot]` : viewer.login, source: 'viewer' };
    }
  } catch (error) {
    if (!isAuthRefusal(error) && !isGraphQLError(error)) throw error;
  }
  return { login: ACTIONS_BOT_LOGIN, source: 'fallback' };
}

function isAuthRefusal(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status === 401 || status === 403;
}

function isGraphQLError(error: unknown): boolean {
  return (error as { name?: string }).name === 'GraphqlResponseError';
}

function normalise(body: string): string {
  return body.replace(/\r\n/g, '\n').trimEnd();
}

/** True when a comment body is ours for this marker: the marker must be the very first line. */
export function hasMarker(body: string | undefined | null, marker: string): boolean {
  if (!body) return false;
  const firstLine = body.replace(/\r\n/g, '\n').split('\n', 1)[0]!.trim();
  return firstLine === marker;
}

export interface OwnComment {
  id: number;
  body: string;
  html_url: string;
}

/** Every comment of ours (marker + author), oldest first. */
export async function findOwnComments(octokit: Octokit, target: CommentTarget, marker: string, login: string): Promise<OwnComment[]> {
  const found: OwnComment[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 });
  for await (const page of pages) {
    for (const comment of page.data) {
      if (comment.user?.login === login && hasMarker(comment.body, marker)) found.push({ id: comment.id, body: comment.body ?? '', html_url: comment.html_url });
    }
  }
  return found;
}

/** The state of the PR comment after an attempt: which one exists, so a failure can say what is stale. */
export interface CommentAttempt {
  identity?: Identity;
  existing?: OwnComment;
}

/**
 * Creates or updates our comment. `attempt` is filled as it goes, so a caller that catches an error
 * knows whether an old comment of ours was left behind (then it is stale).
 */
export async function upsertStickyComment(octokit: Octokit, target: CommentTarget, marker: string, body: string, attempt: CommentAttempt = {}): Promise<CommentResult> {
  if (!hasMarker(body, marker)) throw new Error('internal: the comment body must start with its marker');
  const identity = attempt.identity ?? (await ownIdentity(octokit));
  attempt.identity = identity;
  const [existing, ...duplicates] = await findOwnComments(octokit, target, marker, identity.login);
  if (existing) attempt.existing = existing;
  // Duplicates of ours (two runs that raced, or older versions) would keep showing an old verdict.
  for (const duplicate of duplicates) await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: duplicate.id });
  if (existing) {
    if (normalise(existing.body) === normalise(body)) return { action: 'unchanged', url: existing.html_url, id: existing.id, removed: duplicates.length };
    const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', url: data.html_url, id: data.id, removed: duplicates.length };
  }
  const { data } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body });
  // The API says who wrote it: a different login than assumed would make the next run post again.
  const author = data.user?.login;
  if (author && author !== identity.login) attempt.identity = { login: author, source: 'user' };
  return { action: 'created', url: data.html_url, id: data.id, removed: duplicates.length };
}

/**
 * The files a pull request adds, modifies or renames, compared with its base by GitHub (not by a local
 * checkout of some depth): repository path → status. Removed files are left out. The API lists at most
 * 3,000 files per pull request.
 */
export async function changedFiles(octokit: Octokit, target: CommentTarget): Promise<Map<string, string>> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: target.owner, repo: target.repo, pull_number: target.issueNumber, per_page: 100 });
  return new Map(files.filter((file) => file.status !== 'removed').map((file) => [file.filename, file.status]));
}
