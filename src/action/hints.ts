/**
 * The core's messages name CLI flags (`--dir`, `--database-url`, `--allow-breaking`); in the action the
 * same setting is an input. This rewrites them into the input's name, for every line the action shows
 * (failures, finding hints, notes), so a user is told what to change in the workflow file.
 */
import type { ReportModel } from '../report/model.js';

const REWRITES: Array<[RegExp, string]> = [
  [/\(set (?:it|the migrations dir) with --dir\)/g, '(set the input migrations-dir)'],
  [/ALLOW_BREAKING_MIGRATIONS=true \/ --allow-breaking/g, 'the input allow-breaking: true'],
  [/(?:or )?pass --database-url to a scratch database/g, 'pass the input database-url of a scratch database'],
  [/--dir\b/g, 'the input migrations-dir'],
  [/--database-url\b/g, 'the input database-url'],
  [/--allow-breaking\b/g, 'the input allow-breaking: true'],
  [/--config\b/g, 'the input config'],
  [/--lock-timeout\b/g, 'the input lock-timeout'],
  [/--statement-timeout\b/g, 'the input statement-timeout'],
  [/--environment\b/g, 'the input environment'],
];

export function rewordForAction(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REWRITES) out = out.replace(pattern, replacement);
  return out;
}

/** Rewords a failure line, or every hint, message and note of a report model in place. */
export function actionWording(text: string): string;
export function actionWording(model: ReportModel): ReportModel;
export function actionWording(target: string | ReportModel): string | ReportModel {
  if (typeof target === 'string') return rewordForAction(target);
  for (const file of target.files) {
    for (const finding of file.findings ?? []) {
      finding.hint = rewordForAction(finding.hint);
      finding.message = rewordForAction(finding.message);
    }
  }
  if (target.notes) target.notes = target.notes.map(rewordForAction);
  if (target.couldNotRun) target.couldNotRun.reason = rewordForAction(target.couldNotRun.reason);
  if (target.operation) target.operation.headline = rewordForAction(target.operation.headline);
  return target;
}
