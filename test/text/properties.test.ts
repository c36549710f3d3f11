import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { parseEditPromptsTsv } from '../../src/eval/prompts.js';
import { createTextDetector, normalise } from '../../src/text/index.js';
import { DEV_PROMPTS } from '../helpers/shared.js';
import type { Subject } from './decide.js';
import { decideFromSignals } from './decide.js';
import { PARAPHRASES } from './paraphrases.js';

const detector = createTextDetector();

/** Blocked examples written plainly (no disguise of their own), the seeds the disguises are applied to. */
const BLOCKED: Array<{ text: string; subject: Subject }> = [
  ...parseEditPromptsTsv(readFileSync(DEV_PROMPTS, 'utf8'))
    .filter((r) => r.expected === 'block')
    .map((r) => ({ text: r.text, subject: r.reference })),
  ...PARAPHRASES.filter((c) => c.expect === 'block').map((c) => ({ text: c.text, subject: c.subject })),
].filter((c) => normalise(c.text).text === c.text.toLowerCase());

const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\ufe0f'];
const LOOKALIKES: Record<string, string[]> = {
  a: ['а', 'α'],
  e: ['е', 'ε'],
  o: ['о', 'ο'],
  p: ['р', 'ρ'],
  c: ['с'],
  x: ['х', 'χ'],
  y: ['у'],
  i: ['і', 'ι'],
  k: ['к', 'κ'],
  t: ['т', 'τ'],
  s: ['ѕ'],
};

type Disguise = (text: string, rnd: () => number) => string;

const insertInvisibles: Disguise = (text, rnd) => [...text].map((ch) => (rnd() < 0.3 ? INVISIBLES[Math.floor(rnd() * INVISIBLES.length)] + ch : ch)).join('');
const changeCase: Disguise = (text, rnd) => [...text].map((ch) => (rnd() < 0.5 ? ch.toUpperCase() : ch)).join('');
const lookalikes: Disguise = (text, rnd) =>
  [...text]
    .map((ch) => {
      const options = LOOKALIKES[ch];
      return options !== undefined && rnd() < 0.5 ? options[Math.floor(rnd() * options.length)] : ch;
    })
    .join('');
const spaceOutOneWord: Disguise = (text, rnd) => {
  const words = text.split(' ');
  const candidates = words.map((w, i) => (/^[a-z]{3,}$/.test(w) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const pick = candidates[Math.floor(rnd() * candidates.length)];
  const sep = ['  ', ' ', '.', '-', '_'][Math.floor(rnd() * 5)];
  words[pick] = [...words[pick]].join(sep === '  ' ? ' ' : sep);
  return words.join(' ');
};

const DISGUISES: Record<string, Disguise> = { insertInvisibles, changeCase, lookalikes, spaceOutOneWord };

/**
 * Examples blocked only because a capitalised name points at a real person ("Taylor Swift in
 * lingerie", subject none). Capitals are the only sign of a name the detector has, so random
 * case changes are not expected to keep these blocked — a documented limit.
 */
function blockedOnlyByName(example: { text: string; subject: Subject }): boolean {
  const signals = detector.analyse(example.text);
  return (
    example.subject === 'none' &&
    signals.targetKinds.length === 1 &&
    signals.targetKinds[0] === 'named' &&
    signals.sexualisation !== 'explicit' &&
    !signals.minorCues
  );
}
const CASE_SAFE = BLOCKED.filter((c) => !blockedOnlyByName(c));

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

describe('disguised blocked examples stay blocked (property)', () => {
  it(`has seeds (${BLOCKED.length})`, () => assert.ok(BLOCKED.length > 100));
  for (const [name, disguise] of Object.entries(DISGUISES)) {
    it(name, () => {
      fc.assert(
        fc.property(fc.constantFrom(...(disguise === changeCase ? CASE_SAFE : BLOCKED)), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (example, seed) => {
          const text = disguise(example.text, rng(seed));
          const signals = detector.analyse(text);
          assert.equal(decideFromSignals(signals, example.subject).decision, 'block', `${JSON.stringify(text)} from ${JSON.stringify(example.text)}`);
        }),
        { numRuns: 400 },
      );
    });
  }
  it('all disguises together', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASE_SAFE), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (example, seed) => {
        const rnd = rng(seed);
        // Spacing first: look-alikes and invisibles are then applied to the spaced letters too.
        const text = insertInvisibles(changeCase(lookalikes(spaceOutOneWord(example.text, rnd), rnd), rnd), rnd);
        assert.equal(
          decideFromSignals(detector.analyse(text), example.subject).decision,
          'block',
          `${JSON.stringify(text)} from ${JSON.stringify(example.text)}`,
        );
      }),
      { numRuns: 400 },
    );
  });
});
