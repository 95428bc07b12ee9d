/**
 * The production gate: checked from the inputs and the event alone, before any database connection,
 * so a refused run cannot have touched the database.
 */
import { OperationError } from '../errors.js';
import type { ActionCommand, ActionInputs } from './inputs.js';

export const CONFIRM_PHRASE = 'MIGRATE-PRODUCTION';

/** Commands that change a protected database and therefore pass the gate. */
const GATED: ReadonlySet<ActionCommand> = new Set(['apply', 'rollback', 'seed']);

/** Events whose code is not merged yet: never a source for a production change. */
const UNMERGED_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

export interface GateEvent {
  eventName: string;
}

export function isProtectedTarget(inputs: Pick<ActionInputs, 'environment' | 'protected'>): boolean {
  return inputs.protected || /^prod(uction)?$/i.test(inputs.environment ?? '');
}

/** Throws (exit 1) when a protected target is not confirmed; returns whether the gate applied. */
export function checkProductionGate(inputs: Pick<ActionInputs, 'command' | 'environment' | 'protected' | 'confirm'>, event: GateEvent): boolean {
  if (!GATED.has(inputs.command) || !isProtectedTarget(inputs)) return false;
  const target = inputs.environment ? `environment "${inputs.environment}"` : 'a protected database';
  if (inputs.confirm !== CONFIRM_PHRASE) {
    const got = inputs.confirm === undefined ? 'confirm is empty' : `got ${JSON.stringify(inputs.confirm.length > 40 ? `${inputs.confirm.slice(0, 40)}…` : inputs.confirm)}`;
    throw new OperationError(`production gate: ${inputs.command} on ${target} requires input confirm: ${CONFIRM_PHRASE} exactly (${got}); nothing was run and no database connection was made`);
  }
  if (UNMERGED_EVENTS.has(event.eventName)) {
    throw new OperationError(`production gate: ${inputs.command} on ${target} is refused on a ${event.eventName} event (unmerged code); run it from a push to the default branch or workflow_dispatch`);
  }
  return true;
}
