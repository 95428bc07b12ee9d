/**
 * The sticky PR comment: one per migrations directory, found by its marker on the first line AND by
 * our own author (another bot's comment carrying a copied marker is never edited), updated in place,
 * and not written at all when the body has not changed.
 */
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/** The author GITHUB_TOKEN comments as; GET /user is not allowed for that token. */
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
}

/**
 * The login the token writes comments as: GET /user for a user token (PAT); an installation token
 * such as GITHUB_TOKEN may not call it (403), and then writes as github-actions[bot].
 */
export async function ownLogin(octokit: Octokit): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    if (data?.login) return data.login;
  } catch {
    // 401/403 "Resource not accessible by integration": an app installation token.
  }
  return ACTIONS_BOT_LOGIN;
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

/** Finds our comment (marker + author) page by page, stopping at the first match. */
export async function findStickyComment(octokit: Octokit, target: CommentTarget, marker: string, login: string): Promise<{ id: number; body: string; html_url: string } | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 });
  for await (const page of pages) {
    for (const comment of page.data) {
      if (comment.user?.login === login && hasMarker(comment.body, marker)) return { id: comment.id, body: comment.body ?? '', html_url: comment.html_url };
    }
  }
  return undefined;
}

export async function upsertStickyComment(octokit: Octokit, target: CommentTarget, marker: string, body: string, login?: string): Promise<CommentResult> {
  if (!hasMarker(body, marker)) throw new Error('internal: the comment body must start with its marker');
  const author = login ?? (await ownLogin(octokit));
  const existing = await findStickyComment(octokit, target, marker, author);
  if (existing) {
    if (normalise(existing.body) === normalise(body)) return { action: 'unchanged', url: existing.html_url, id: existing.id };
    const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', url: data.html_url, id: data.id };
  }
  const { data } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body });
  return { action: 'created', url: data.html_url, id: data.id };
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
