import { PerisaiError } from './errors.js';

/**
 * A case's life: `open` when a report arrives, `in_review` once someone works it, `actioned`
 * (content removed) or `declined` (no violation) with a statement of reasons, `appealed` when the
 * reporter or the uploader contests that outcome, `closed` when nothing more will happen.
 */
export const CASE_STATES = ['open', 'in_review', 'actioned', 'declined', 'appealed', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_ACTIONS = ['assign', 'note', 'remove', 'bank', 'decline', 'escalate', 'notify', 'appeal', 'close', 'uphold', 'overturn'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** States whose clock still runs: a decision is owed. */
export const RUNNING_STATES: readonly CaseState[] = ['open', 'in_review', 'appealed'];

/**
 * Where each action may be taken and where it leads; `same` keeps the state, except that work on
 * an `open` case (assigning, banking, escalating) moves it to `in_review`. Notes and notifications
 * are allowed in every state, so the record of a closed case can still be completed.
 */
const TRANSITIONS: Record<CaseAction, { from: readonly CaseState[]; to: CaseState | 'same' }> = {
  assign: { from: ['open', 'in_review', 'appealed', 'actioned', 'declined'], to: 'same' },
  note: { from: CASE_STATES, to: 'same' },
  notify: { from: CASE_STATES, to: 'same' },
  escalate: { from: RUNNING_STATES, to: 'same' },
  bank: { from: ['open', 'in_review', 'appealed', 'actioned'], to: 'same' },
  remove: { from: RUNNING_STATES, to: 'actioned' },
  decline: { from: RUNNING_STATES, to: 'declined' },
  appeal: { from: ['actioned', 'declined'], to: 'appealed' },
  close: { from: ['actioned', 'declined'], to: 'closed' },
  // An appeal is decided once: upheld or overturned, it is closed (the outcome is in its history).
  uphold: { from: ['open', 'in_review'], to: 'closed' },
  overturn: { from: ['open', 'in_review'], to: 'closed' },
};

/**
 * An appeal case (docs/enforcement.md) is decided by upholding or overturning what it contests;
 * it is not itself removed, declined, banked or appealed. Other cases are never upheld or overturned.
 */
const APPEAL_ONLY: ReadonlySet<CaseAction> = new Set(['uphold', 'overturn']);
const NOT_ON_APPEALS: ReadonlySet<CaseAction> = new Set(['remove', 'bank', 'decline', 'appeal', 'close']);

function applies(action: CaseAction, appeal: boolean): boolean {
  return appeal ? !NOT_ON_APPEALS.has(action) : !APPEAL_ONLY.has(action);
}

/** The actions a case in this state accepts, for messages and for the console. */
export function actionsAllowedIn(state: CaseState, appeal = false): CaseAction[] {
  return CASE_ACTIONS.filter((action) => applies(action, appeal) && TRANSITIONS[action].from.includes(state));
}

/** The state after `action`, or a `conflict` error that names what the case accepts instead. */
export function nextCaseState(state: CaseState, action: CaseAction, appeal = false): CaseState {
  const transition = TRANSITIONS[action];
  if (!applies(action, appeal)) {
    throw new PerisaiError(
      'conflict',
      appeal
        ? `An appeal cannot take the action "${action}": decide it with uphold or overturn; it accepts ${actionsAllowedIn(state, true).join(', ')}.`
        : `Only an appeal can be upheld or overturned: open one on the decision or case first; this case accepts ${actionsAllowedIn(state).join(', ')}.`,
    );
  }
  if (!transition.from.includes(state)) {
    throw new PerisaiError(
      'conflict',
      `A case that is ${state.replace('_', ' ')} cannot take the action "${action}": it accepts ${actionsAllowedIn(state, appeal).join(', ')}.`,
    );
  }
  if (transition.to !== 'same') return transition.to;
  return state === 'open' && action !== 'note' && action !== 'notify' ? 'in_review' : state;
}
