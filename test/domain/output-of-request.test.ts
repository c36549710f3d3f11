import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Verdict } from '../../src/domain/decision.js';
import { applyRequestOutcome, BLOCKED_REQUEST_RULE } from '../../src/domain/policy/output-of-request.js';

const ALLOW: Verdict = { decision: 'allow', categories: [], reasons: [], actions: [] };

describe('an output in the light of its request', () => {
  it('leaves the verdict of an allowed or reviewed request as the policy gave it', () => {
    for (const decision of ['allow', 'review'] as const) {
      assert.deepEqual(applyRequestOutcome(ALLOW, { id: 'dec_1', decision, categories: ['nudity'] }), ALLOW);
    }
  });

  it('blocks the output of a blocked request, keeps the policy reasons, adds the flag once and opens a case', () => {
    const review: Verdict = {
      decision: 'review',
      categories: ['nudity'],
      reasons: [{ rule: 'nudity-review', category: 'nudity', message: 'm', evidence: [] }],
      actions: ['open_case'],
    };
    const out = applyRequestOutcome(review, { id: 'dec_9', decision: 'block', categories: ['minor_sexual', 'nudity'] });
    assert.equal(out.decision, 'block');
    assert.deepEqual(out.categories, ['nudity', 'minor_sexual']);
    assert.deepEqual(
      out.reasons.map((r) => r.rule),
      ['nudity-review', BLOCKED_REQUEST_RULE],
    );
    assert.equal(out.reasons[1]!.category, 'minor_sexual');
    assert.deepEqual(out.actions, ['open_case']);
  });

  it('still blocks when the blocked request carried no category', () => {
    const out = applyRequestOutcome(ALLOW, { id: 'dec_2', decision: 'block', categories: [] });
    assert.equal(out.decision, 'block');
    assert.equal(out.reasons[0]!.rule, BLOCKED_REQUEST_RULE);
  });
});
