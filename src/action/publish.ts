/**
 * Publishing the sticky comment with the consequences a safety check needs: the result says whether
 * the comment on the PR is now current, and when it is not, whether an earlier comment of ours is left
 * saying something else (stale: the job must fail) or there simply is none (a warning is enough).
 */
import * as core from '@actions/core';
import { commentMarker } from '../report/comment-markdown.js';
import { scrubSecrets } from '../secrets.js';
import { ownIdentity, upsertStickyComment, type CommentAttempt, type CommentTarget } from './comment.js';
import { describeGitHubError, type Octokit } from './github-client.js';

export interface PublishResult {
  url?: string;
  /** What went wrong, in one line with its fix. */
  problem?: string;
  /** An earlier comment of ours (or possibly one) still shows another result: the job fails. */
  stale: boolean;
}

export class CommentPublisher {
  constructor(
    readonly octokit: Octokit,
    private readonly target: CommentTarget,
    private dir: string,
    private readonly log: (message: string) => void,
  ) {}

  setDir(dir: string): void {
    this.dir = dir;
  }

  async publish(body: string): Promise<PublishResult> {
    const marker = commentMarker(this.dir);
    const attempt: CommentAttempt = {};
    try {
      const guessed = await ownIdentity(this.octokit);
      attempt.identity = guessed;
      if (guessed.source === 'fallback') core.warning(`ddlgate: could not learn which account the github-token writes as (GET /user and GraphQL viewer were refused); assuming ${guessed.login}`);
      const result = await upsertStickyComment(this.octokit, this.target, marker, scrubSecrets(body), attempt);
      if (attempt.identity && attempt.identity.login !== guessed.login) core.warning(`ddlgate: the comment was written as ${attempt.identity.login}, not ${guessed.login} as assumed; the next run may not find it`);
      this.log(`PR comment ${result.action}: ${result.url}${result.removed ? ` (removed ${result.removed} duplicate(s) of earlier runs)` : ''}`);
      return { url: result.url, stale: false };
    } catch (error) {
      if (attempt.existing) {
        const problem = `${describeGitHubError(error, 'ddlgate: could not update the PR comment')}. The comment ${attempt.existing.html_url} still shows an earlier result and is stale; this job fails so the check does not look better than the report`;
        core.warning(problem);
        return { problem, stale: true, url: attempt.existing.html_url };
      }
      if ((error as { request?: { method?: string } }).request?.method !== 'POST') {
        // Not even the comment list could be read: an earlier comment may be stale, and nothing can tell.
        const problem = `${describeGitHubError(error, 'ddlgate: could not read the PR comments')}. An earlier ddlgate comment on this pull request, if any, may be stale; this job fails so the check does not look better than the report`;
        core.warning(problem);
        return { problem, stale: true };
      }
      const problem = `${describeGitHubError(error, 'ddlgate: could not write the PR comment')}; the report is in the job summary`;
      core.warning(problem);
      return { problem, stale: false };
    }
  }
}
