import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import type { DecisionRecord } from '../../src/domain/decision-record.js';
import { IMAGE_SEXUAL_AT, OPENAI_MODERATION_CATEGORIES, toOpenAiModeration } from '../../src/domain/moderation.js';
import type { ScreeningFacts } from '../../src/domain/policy/facts.js';
import { SEXUALISATION_LEVELS } from '../../src/domain/signals.js';

type Judged = Pick<DecisionRecord, 'decision' | 'categories' | 'signals'>;

function record(facts: Partial<ScreeningFacts>, decision: DecisionRecord['decision'] = 'allow', categories: DecisionRecord['categories'] = []): Judged {
  return {
    decision,
    categories,
    signals: {
      text: null,
      images: [],
      detectors: [],
      failures: [],
      facts: {
        stage: 'request',
        sexualisation: 'none',
        real_person: false,
        minor: false,
        sexual_violence: false,
        adult_content: false,
        consent_withheld: false,
        bank_purposes: [],
        account_suspended: false,
        detector_failure: false,
        image_nudity: 0,
        faces: 0,
        ...facts,
      },
    },
  };
}

const TEXT = new Set(['text'] as const);
const BOTH = new Set(['text', 'image'] as const);

describe('OpenAI moderation from a decision', () => {
  test('suggestive or explicit text is sexual; revealing alone is not (a bikini is not sexual content)', () => {
    assert.equal(toOpenAiModeration(record({ sexualisation: 'explicit' }), TEXT).categories.sexual, true);
    assert.equal(toOpenAiModeration(record({ sexualisation: 'suggestive' }), TEXT).categories.sexual, true);
    assert.equal(toOpenAiModeration(record({ sexualisation: 'revealing' }), TEXT).categories.sexual, false);
  });

  test('for a minor, revealing already counts as sexual/minors, as does a csam bank match', () => {
    const revealing = toOpenAiModeration(record({ sexualisation: 'revealing', minor: true }), TEXT);
    assert.equal(revealing.categories['sexual/minors'], true);
    assert.equal(revealing.categories.sexual, true);
    assert.equal(toOpenAiModeration(record({ bank_purposes: ['csam'] }), BOTH).categories['sexual/minors'], true);
    assert.equal(toOpenAiModeration(record({ minor: true }), TEXT).categories['sexual/minors'], false);
  });

  test('image nudity flags sexual only when an image was among the inputs', () => {
    assert.equal(toOpenAiModeration(record({ image_nudity: IMAGE_SEXUAL_AT }), BOTH).categories.sexual, true);
    assert.equal(toOpenAiModeration(record({ image_nudity: IMAGE_SEXUAL_AT - 0.01 }), BOTH).categories.sexual, false);
  });

  test('sexual violence is violence, judged on text only', () => {
    const result = toOpenAiModeration(record({ sexual_violence: true, sexualisation: 'explicit' }), BOTH);
    assert.equal(result.categories.violence, true);
    assert.deepEqual(result.category_applied_input_types.violence, ['text']);
    assert.equal(toOpenAiModeration(record({ sexual_violence: true }), new Set(['image'] as const)).categories.violence, false);
  });

  test('a decision Perisai did not allow is flagged even when no OpenAI category holds', () => {
    const result = toOpenAiModeration(record({ consent_withheld: true }, 'block', ['consent_withheld']), BOTH);
    assert.equal(Object.values(result.categories).some(Boolean), false);
    assert.equal(result.flagged, true);
    assert.equal(toOpenAiModeration(record({ detector_failure: true }, 'review', ['detector_failure']), BOTH).flagged, true);
  });

  test('property: every category is present, scores lie in [0, 1], a flagged category scores at least 0.5, flagged covers every category', () => {
    const facts = fc.record({
      sexualisation: fc.constantFrom(...SEXUALISATION_LEVELS),
      minor: fc.boolean(),
      sexual_violence: fc.boolean(),
      image_nudity: fc.double({ min: 0, max: 1, noNaN: true }),
      bank_purposes: fc.subarray(['csam', 'ncii', 'takedown']),
    });
    const inputs = fc.constantFrom(TEXT, BOTH, new Set(['image'] as const));
    fc.assert(
      fc.property(facts, fc.constantFrom('allow', 'review', 'block') as fc.Arbitrary<DecisionRecord['decision']>, inputs, (f, decision, types) => {
        const result = toOpenAiModeration(record(f, decision), types);
        assert.deepEqual(Object.keys(result.categories), [...OPENAI_MODERATION_CATEGORIES]);
        for (const category of OPENAI_MODERATION_CATEGORIES) {
          const score = result.category_scores[category];
          assert.ok(score >= 0 && score <= 1, `${category} ${score}`);
          if (result.categories[category]) assert.ok(score >= 0.5, `${category} flagged at ${score}`);
          if (result.category_applied_input_types[category].length === 0) assert.equal(result.categories[category], false);
        }
        const any = Object.values(result.categories).some(Boolean);
        assert.equal(result.flagged, any || decision !== 'allow');
      }),
    );
  });
});
