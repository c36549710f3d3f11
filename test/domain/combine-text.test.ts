import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { combineTextSignals } from '../../src/domain/policy/combine-text.js';
import type { TextModelSettings } from '../../src/domain/policy/schema.js';
import type { Evidence, TextModelScores, TextSignals } from '../../src/domain/signals.js';
import { NEUTRAL_TEXT } from '../helpers/fixed-text-detector.js';

const LOW: TextModelScores = { revealing: 0.1, suggestive: 0.1, explicit: 0.1, minor: 0.1, sexual_violence: 0.1, target: 0.1 };
const HALF = { revealing: 0.5, suggestive: 0.5, explicit: 0.5, minor: 0.5, sexual_violence: 0.5, target: 0.5 };

function settings(overrides: Partial<TextModelSettings> = {}): TextModelSettings {
  return { combine: 'either', lexicon_veto: null, model_violence_at_least: 'none', thresholds: HALF, ...overrides };
}

function modelEvidence(head: keyof TextModelScores, text: string): Evidence {
  const signal = head === 'minor' || head === 'target' || head === 'sexual_violence' ? head : 'sexualisation';
  return { signal, rule: 'model:m@1', start: 0, end: text.length, text, score: 0.9, ...(signal === 'sexualisation' ? { level: head as 'revealing' } : {}) };
}

function signals(lexicon: Partial<TextSignals>, scores: Partial<TextModelScores> | null, evidence: Evidence[] = []): TextSignals {
  const base: TextSignals = { ...NEUTRAL_TEXT, ...lexicon };
  if (scores === null) return base;
  return { ...base, model: { name: 'm', version: '1', scores: { ...LOW, ...scores }, evidence } };
}

describe('combining the lexicon and the model', () => {
  test('no text gives no facts', () => {
    assert.deepEqual(combineTextSignals(settings(), null), { sexualisation: 'none', realPerson: false, minor: false, sexualViolence: false, evidence: [] });
  });

  test('without model scores the lexicon decides alone', () => {
    const facts = combineTextSignals(settings(), signals({ sexualisation: 'revealing', minorCues: true }, null));
    assert.equal(facts.sexualisation, 'revealing');
    assert.equal(facts.minor, true);
  });

  test('either: the model raises what the lexicon missed, with its own evidence only for raised heads', () => {
    const evidence = [modelEvidence('suggestive', 'spicy'), modelEvidence('minor', 'kid')];
    const facts = combineTextSignals(settings(), signals({}, { revealing: 0.9, suggestive: 0.8, minor: 0.2 }, evidence));
    assert.equal(facts.sexualisation, 'suggestive');
    assert.equal(facts.minor, false);
    assert.deepEqual(
      facts.evidence.map((e) => e.text),
      ['spicy'],
    );
  });

  test('the highest level whose head reaches its threshold is the level', () => {
    assert.equal(combineTextSignals(settings(), signals({}, { revealing: 0.2, suggestive: 0.2, explicit: 0.7 })).sexualisation, 'explicit');
    assert.equal(combineTextSignals(settings(), signals({}, { revealing: 0.7 })).sexualisation, 'revealing');
  });

  test('either keeps the stronger of the two levels and ORs the flags', () => {
    const facts = combineTextSignals(settings(), signals({ sexualisation: 'explicit', targetsRealPerson: true }, { revealing: 0.9, sexual_violence: 0.6 }));
    assert.equal(facts.sexualisation, 'explicit');
    assert.equal(facts.realPerson, true);
    assert.equal(facts.sexualViolence, true);
  });

  test("the model's sexual violence needs sexual content of the configured level", () => {
    const gated = settings({ model_violence_at_least: 'revealing' });
    assert.equal(combineTextSignals(gated, signals({}, { sexual_violence: 0.9 })).sexualViolence, false);
    assert.equal(combineTextSignals(gated, signals({}, { sexual_violence: 0.9, revealing: 0.8 })).sexualViolence, true);
    assert.equal(combineTextSignals(gated, signals({ sexualisation: 'suggestive' }, { sexual_violence: 0.9 })).sexualViolence, true);
    // The lexicon's own sexual violence ("rape") is never gated.
    assert.equal(combineTextSignals(gated, signals({ sexualViolence: true }, {})).sexualViolence, true);
  });

  test('a null threshold turns a head off', () => {
    const off = settings({ thresholds: { ...HALF, target: null, revealing: null } });
    const facts = combineTextSignals(off, signals({}, { target: 0.99, revealing: 0.99 }));
    assert.equal(facts.realPerson, false);
    assert.equal(facts.sexualisation, 'none');
  });

  test('lexicon and model modes each use one side alone', () => {
    const both = signals({ sexualisation: 'explicit' }, { suggestive: 0.9, revealing: 0.9 });
    assert.equal(combineTextSignals(settings({ combine: 'lexicon' }), both).sexualisation, 'explicit');
    assert.equal(combineTextSignals(settings({ combine: 'model' }), both).sexualisation, 'suggestive');
  });

  test('the veto drops a lexicon level the model scores under it, and keeps one it does not', () => {
    const lexiconEvidence: Evidence = { signal: 'sexualisation', rule: 'sexual:nudity.en', start: 0, end: 4, text: 'nude', level: 'explicit' };
    const vetoed = combineTextSignals(
      settings({ lexicon_veto: 0.05 }),
      signals({ sexualisation: 'explicit', evidence: [lexiconEvidence] }, { explicit: 0.01 }),
    );
    assert.equal(vetoed.sexualisation, 'none');
    assert.deepEqual(vetoed.evidence, []);
    const kept = combineTextSignals(settings({ lexicon_veto: 0.05 }), signals({ sexualisation: 'explicit', evidence: [lexiconEvidence] }, { explicit: 0.2 }));
    assert.equal(kept.sexualisation, 'explicit');
    assert.deepEqual(kept.evidence, [lexiconEvidence]);
    // The veto never touches minor cues or sexual violence found by the lexicon.
    const flags = combineTextSignals(settings({ lexicon_veto: 0.5 }), signals({ minorCues: true, sexualViolence: true }, {}));
    assert.equal(flags.minor, true);
    assert.equal(flags.sexualViolence, true);
  });
});
