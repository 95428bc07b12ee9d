/** command: preflight — the environment's protection rules, before any approval is asked for and before any connection. */
import type { ReportModel } from '../report/comment-markdown.js';
import type { Octokit } from './comment.js';
import { isProtectedTarget } from './gate.js';
import { describeProtection, protectionRefusal, readEnvironmentProtection } from './preflight.js';
import type { Outcome, StepEnv } from './steps.js';

export async function runPreflight(env: StepEnv, octokit: Octokit | undefined): Promise<Outcome> {
  const { inputs, run } = env;
  const model: ReportModel = { dir: env.dir, command: inputs.command, files: [], failOn: inputs.failOn, notes: [] };
  const environment = inputs.environment;
  const stop = (failure: string): Outcome => {
    model.operation = { headline: failure, ok: false };
    return { model, json: { preflight: { environment: environment ?? null, ok: false } }, failure };
  };
  if (!environment) return stop('preflight: input "environment" is required (the GitHub environment the deploy job runs in)');
  if (!octokit || !run.owner || !run.repo) return stop('preflight: needs a github-token and the repository (GITHUB_REPOSITORY) to read the environment\'s protection rules');
  const protection = await readEnvironmentProtection(octokit, run.owner, run.repo, environment);
  const production = isProtectedTarget(inputs);
  const refusal = protectionRefusal(environment, production, protection, inputs.allowUnprotectedProduction);
  const described = describeProtection(environment, protection);
  env.log(`preflight: ${described}${production ? ' (production)' : ''}`);
  if (refusal) return stop(refusal);
  const unprotected = production && protection.reviewers === 0 && protection.waitTimerMinutes === 0;
  if (unprotected) model.notes!.push(`⚠️ allow-unprotected-production is set: ${described}; nothing but this workflow's own checks stands between a push and production.`);
  model.operation = { headline: `preflight passed: ${described}`, ok: true };
  return { model, json: { preflight: { environment, production, ...protection, ok: true, allowUnprotectedProduction: unprotected } } };
}
