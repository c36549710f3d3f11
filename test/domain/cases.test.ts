import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { actionsAllowedIn, CASE_ACTIONS, CASE_STATES, nextCaseState, RUNNING_STATES } from '../../src/domain/cases.js';
import { isPerisaiError } from '../../src/domain/errors.js';

describe('the case state machine', () => {
  it('walks a case from report to closure, through an appeal', () => {
    let state = nextCaseState('open', 'assign');
    assert.equal(state, 'in_review');
    state = nextCaseState(state, 'remove');
    assert.equal(state, 'actioned');
    state = nextCaseState(state, 'appeal');
    assert.equal(state, 'appealed');
    state = nextCaseState(state, 'decline');
    assert.equal(state, 'declined');
    assert.equal(nextCaseState(state, 'close'), 'closed');
  });

  it('refuses what a state does not accept with a conflict that lists what it does', () => {
    assert.throws(
      () => nextCaseState('closed', 'remove'),
      (error: unknown) =>
        isPerisaiError(error) && error.code === 'conflict' && /closed cannot take the action "remove": it accepts note, notify/.test(error.message),
    );
    assert.throws(() => nextCaseState('open', 'close'), /accepts assign, note, remove, bank, decline, escalate, notify/);
    assert.throws(() => nextCaseState('open', 'appeal'));
  });

  it('notes and notifications never change a state; work on an open case starts its review', () => {
    for (const state of CASE_STATES) {
      assert.equal(nextCaseState(state, 'note'), state);
      assert.equal(nextCaseState(state, 'notify'), state);
    }
    for (const action of ['assign', 'bank', 'escalate'] as const) assert.equal(nextCaseState('open', action), 'in_review');
  });

  it('every action either is listed as allowed and succeeds, or is refused; no state is a dead end but closed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASE_STATES), fc.constantFrom(...CASE_ACTIONS), (state, action) => {
        const allowed = actionsAllowedIn(state).includes(action);
        let ok = true;
        try {
          nextCaseState(state, action);
        } catch {
          ok = false;
        }
        return ok === allowed;
      }),
    );
    for (const state of CASE_STATES) {
      const changes = actionsAllowedIn(state).filter((action) => nextCaseState(state, action) !== state);
      assert.equal(changes.length === 0, state === 'closed', state);
    }
    for (const state of RUNNING_STATES) assert.ok(actionsAllowedIn(state).includes('remove'));
  });
});
