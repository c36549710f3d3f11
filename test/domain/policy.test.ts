import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { deriveFacts, type ScreeningObservations } from '../../src/domain/policy/derive-facts.js';
import { evaluatePolicy } from '../../src/domain/policy/evaluate.js';
import type { TextSignals } from '../../src/domain/signals.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { NEUTRAL_TEXT } from '../helpers/fixed-text-detector.js';

const policy = loadPolicyFile();

function observe(overrides: Partial<ScreeningObservations> & { textSignals?: Partial<TextSignals> }): ScreeningObservations {
  const { textSignals, ...rest } = overrides;
  return {
    stage: 'request',
    subject: 'unknown',
    text: { ...NEUTRAL_TEXT, ...textSignals },
    imageCount: 0,
    images: [],
    consentWithheld: [],
    bankMatches: [],
    accountSuspended: [],
    failures: [],
    ...rest,
  };
}

function decide(obs: ScreeningObservations) {
  const { facts, evidence } = deriveFacts(policy, obs);
  return evaluatePolicy(policy, facts, evidence);
}

describe('default policy', () => {
  test('a neutral request is allowed with no reasons', () => {
    assert.deepEqual(decide(observe({})), { decision: 'allow', categories: [], reasons: [], actions: [] });
  });

  test('revealing edit of a real adult is blocked as sexualize_real_person', () => {
    const verdict = decide(observe({ subject: 'adult', textSignals: { sexualisation: 'revealing' } }));
    assert.equal(verdict.decision, 'block');
    assert.deepEqual(verdict.categories, ['sexualize_real_person']);
    assert.ok(verdict.actions.includes('strike'));
  });

  test('revealing content about nobody in particular is allowed', () => {
    assert.equal(decide(observe({ subject: 'none', textSignals: { sexualisation: 'revealing' } })).decision, 'allow');
  });

  test('explicit content is blocked as nudity unless the deployment enables adult content', () => {
    assert.deepEqual(decide(observe({ subject: 'none', textSignals: { sexualisation: 'explicit' } })).categories, ['nudity']);
    const adult = { ...policy, settings: { ...policy.settings, adult_content: true } };
    const { facts } = deriveFacts(adult, observe({ subject: 'none', textSignals: { sexualisation: 'explicit' } }));
    assert.equal(evaluatePolicy(adult, facts).decision, 'allow');
  });

  test('adult content setting never unlocks real people or minors', () => {
    const adult = { ...policy, settings: { ...policy.settings, adult_content: true } };
    const real = deriveFacts(adult, observe({ textSignals: { sexualisation: 'explicit', targetsRealPerson: true } }));
    assert.equal(evaluatePolicy(adult, real.facts).decision, 'block');
    const minor = deriveFacts(adult, observe({ subject: 'none', textSignals: { sexualisation: 'explicit', minorCues: true } }));
    assert.deepEqual(evaluatePolicy(adult, minor.facts).categories, ['minor_sexual']);
  });

  test('minor plus revealing is blocked but not escalated; suggestive or explicit is escalated', () => {
    const revealing = decide(observe({ subject: 'minor', textSignals: { sexualisation: 'revealing' } }));
    assert.equal(revealing.decision, 'block');
    assert.ok(revealing.categories.includes('minor_sexual'));
    assert.ok(!revealing.actions.includes('escalate'), revealing.actions.join());
    for (const level of ['suggestive', 'explicit'] as const) {
      const verdict = decide(observe({ subject: 'minor', textSignals: { sexualisation: level } }));
      assert.ok(verdict.categories.includes('minor_sexual'), level);
      assert.ok(verdict.actions.includes('escalate'), level);
      assert.ok(verdict.actions.includes('open_case'), level);
    }
  });

  test('an edit of an unstated subject is an edit of a real person', () => {
    const verdict = decide(observe({ subject: 'unknown', textSignals: { sexualisation: 'revealing' } }));
    assert.deepEqual(verdict.categories, ['sexualize_real_person']);
    assert.ok(verdict.reasons[0].evidence.some((e) => e.source === 'subject' && /subject unknown/.test(e.detail)));
    assert.equal(decide(observe({ subject: 'none', textSignals: { sexualisation: 'revealing' } })).decision, 'allow');
  });

  test('a face with apparent age under 25 makes a sexualising request a minor case', () => {
    const verdict = decide(
      observe({
        subject: 'unknown',
        imageCount: 1,
        images: [{ index: 0, faces: { count: 1, ages: [19] }, nudity: 0.01 }],
        textSignals: { sexualisation: 'revealing' },
      }),
    );
    assert.ok(verdict.categories.includes('minor_sexual'));
    assert.ok(verdict.reasons.some((r) => r.evidence.some((e) => e.detail.includes('apparent age 19'))));
  });

  test('a face whose age could not be estimated counts as a possible minor', () => {
    const verdict = decide(
      observe({ imageCount: 1, images: [{ index: 0, faces: { count: 1, ages: [Number.NaN] }, nudity: 0 }], textSignals: { sexualisation: 'revealing' } }),
    );
    assert.ok(verdict.categories.includes('minor_sexual'));
    assert.ok(verdict.reasons.some((r) => r.evidence.some((e) => e.detail.includes('apparent age unknown'))));
  });

  test('a detected face makes the image a real person even when the caller says none', () => {
    const verdict = decide(
      observe({
        subject: 'none',
        imageCount: 1,
        images: [{ index: 0, faces: { count: 1, ages: [35] }, nudity: 0 }],
        textSignals: { sexualisation: 'revealing' },
      }),
    );
    assert.deepEqual(verdict.categories, ['sexualize_real_person']);
  });

  test('a neutral edit of a photo with a young face is allowed', () => {
    assert.equal(decide(observe({ imageCount: 1, images: [{ index: 0, faces: { count: 1, ages: [9] }, nudity: 0 }] })).decision, 'allow');
  });

  test('sexual violence is blocked', () => {
    assert.deepEqual(decide(observe({ subject: 'none', textSignals: { sexualViolence: true } })).categories, ['sexual_violence']);
  });

  test('a high-nudity output is blocked before anyone sees it; with a possible minor it is escalated', () => {
    const output = decide(observe({ stage: 'output', text: null, imageCount: 1, images: [{ index: 0, faces: { count: 0, ages: [] }, nudity: 0.93 }] }));
    assert.deepEqual(output.categories, ['nudity']);
    const minor = decide(observe({ stage: 'output', text: null, imageCount: 1, images: [{ index: 0, faces: { count: 1, ages: [16] }, nudity: 0.6 }] }));
    assert.ok(minor.categories.includes('minor_sexual'));
    assert.ok(minor.actions.includes('escalate'));
  });

  test('bank matches follow the bank purpose', () => {
    const csam = decide(observe({ bankMatches: [{ bank: 'authority', purpose: 'csam', distance: 4, pdq: 'ab' }] }));
    assert.equal(csam.decision, 'block');
    assert.ok(csam.actions.includes('escalate'));
    const testBank = decide(observe({ bankMatches: [{ bank: 'qa', purpose: 'test', distance: 0, pdq: 'ab' }] }));
    assert.equal(testBank.decision, 'review');
  });

  test('consent withheld and account suspension block whatever the prompt', () => {
    assert.deepEqual(decide(observe({ consentWithheld: [{ source: 'consent', fact: 'consent_withheld', detail: 'x' }] })).categories, ['consent_withheld']);
    assert.deepEqual(decide(observe({ accountSuspended: [{ source: 'account', fact: 'account_suspended', detail: 'x' }] })).categories, ['account_suspended']);
  });

  test('a detector failure never allows: review by default, block when configured', () => {
    const failed = decide(observe({ text: null, failures: [{ detector: 'text', message: 'crashed' }] }));
    assert.equal(failed.decision, 'review');
    assert.deepEqual(failed.categories, ['detector_failure']);
    const strict = { ...policy, settings: { ...policy.settings, on_detector_failure: 'block' as const } };
    const { facts } = deriveFacts(strict, observe({ failures: [{ detector: 'nudity', message: 'timeout' }] }));
    assert.equal(evaluatePolicy(strict, facts).decision, 'block');
  });

  test('a failure never downgrades a block', () => {
    const verdict = decide(observe({ subject: 'adult', textSignals: { sexualisation: 'explicit' }, failures: [{ detector: 'faces', message: 'timeout' }] }));
    assert.equal(verdict.decision, 'block');
    assert.ok(verdict.categories.includes('detector_failure'));
  });

  test('every fired rule carries the evidence for its conditions', () => {
    const verdict = decide(
      observe({
        subject: 'adult',
        textSignals: {
          sexualisation: 'revealing',
          evidence: [{ signal: 'sexualisation', rule: 'garment.revealing:bikini', start: 11, end: 17, text: 'bikini', level: 'revealing' }],
        },
      }),
    );
    const reason = verdict.reasons.find((r) => r.rule === 'sexualize-real-person');
    assert.ok(reason);
    assert.ok(reason.evidence.some((e) => e.source === 'text' && e.text === 'bikini' && e.span?.[0] === 11));
    assert.ok(reason.evidence.some((e) => e.source === 'subject' && e.fact === 'real_person'));
  });
});
