/**
 * Review suggestions (input review-comments): where the fix is a rewrite of the same statement, a PR
 * review comment on the statement's lines carries it as a ```suggestion``` block, applied with one click.
 * One review per head SHA: a rerun on the same head writes nothing; a new head replaces the comments of
 * our earlier reviews. Only files the PR adds are used (every line of them is in the diff, which
 * GitHub requires for a review comment).
 */
import { codeFence, escapeMarkdown, inlineCode } from '../report/markdown-escape.js';
import type { ReportFinding, ReportModel } from '../report/model.js';
import { scrubSecrets } from '../secrets.js';
import { ownIdentity } from './comment.js';
import type { RunContext } from './context.js';
import type { Octokit } from './github-client.js';

export interface Suggestion {
  path: string;
  line: number;
  endLine: number;
  body: string;
}

function reviewMarker(dir: string, sha?: string): string {
  return `<!-- ddlgate:review:${dir.replace(/-{2,}|[<>\n\r]/g, '_')}:${sha ?? ''}`;
}

/** The suggestions of a report: whole-statement rewrites in files the PR adds. Pure. */
export function suggestionsOf(model: ReportModel, prFiles: ReadonlyMap<string, string>): Suggestion[] {
  const out: Suggestion[] = [];
  for (const file of model.files) {
    if (prFiles.get(file.path) !== 'added') continue;
    for (const finding of file.findings ?? []) {
      if (!isWholeLineFix(finding)) continue;
      const body = [`${finding.severity === 'error' ? '🛑' : '⚠️'} ${inlineCode(finding.rule)} — ${escapeMarkdown(finding.message)}`, '', codeFence(finding.fix!.sql, 'suggestion'), ...(finding.fix!.note ? ['', escapeMarkdown(finding.fix!.note.replace(/^--\s*/, ''))] : [])].join('\n');
      out.push({ path: file.path, line: finding.line, endLine: Math.max(finding.line, finding.endLine), body });
    }
  }
  return out;
}

/** The statement starts a line and its excerpt was not shortened: the suggestion replaces exactly its lines. */
function isWholeLineFix(finding: ReportFinding): boolean {
  return Boolean(finding.fix && finding.excerpt && finding.column === 1 && !finding.excerpt.includes('-- … ('));
}

export async function postReviewSuggestions(octokit: Octokit, run: RunContext, dir: string, model: ReportModel, prFiles: ReadonlyMap<string, string>, log: (message: string) => void): Promise<void> {
  const pr = run.pullRequest;
  if (!pr || !run.owner || !run.repo || !pr.headSha) return;
  const suggestions = suggestionsOf(model, prFiles);
  const target = { owner: run.owner, repo: run.repo, pull_number: pr.number };
  const identity = await ownIdentity(octokit);
  const reviews = (await octokit.paginate(octokit.rest.pulls.listReviews, { ...target, per_page: 100 })).filter((review) => review.user?.login === identity.login && (review.body ?? '').startsWith(reviewMarker(dir)));
  const current = reviews.find((review) => (review.body ?? '').startsWith(`${reviewMarker(dir, pr.headSha)} -->`));
  if (current) {
    log(`Review suggestions unchanged for ${pr.headSha.slice(0, 7)}`);
    return;
  }
  // A new head: the suggestions of our earlier reviews point at old lines; replace them.
  const old = new Set(reviews.map((review) => review.id));
  if (old.size) {
    const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { ...target, per_page: 100 });
    for (const comment of comments) if (comment.pull_request_review_id && old.has(comment.pull_request_review_id)) await octokit.rest.pulls.deleteReviewComment({ owner: run.owner, repo: run.repo, comment_id: comment.id });
  }
  if (suggestions.length === 0) return;
  await octokit.rest.pulls.createReview({
    ...target,
    commit_id: pr.headSha,
    event: 'COMMENT',
    body: scrubSecrets(`${reviewMarker(dir, pr.headSha)} -->\nddlgate: ${suggestions.length} statement(s) of this pull request have a safe rewrite; apply the suggestions below (the full report is in the ddlgate comment).`),
    comments: suggestions.map((s) => ({ path: s.path, line: s.endLine, side: 'RIGHT' as const, ...(s.endLine > s.line ? { start_line: s.line, start_side: 'RIGHT' as const } : {}), body: scrubSecrets(s.body) })),
  });
  log(`Review with ${suggestions.length} suggestion(s) posted on ${pr.headSha.slice(0, 7)}`);
}
