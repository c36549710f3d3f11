import type { Random } from './random.js';
import { pick } from './random.js';

/**
 * Disguises people use to slip words past a filter, applied to training rows only. Some are
 * undone by `normalise` (then they teach nothing new but cost nothing); the others — words run
 * together, vowels dropped, letters spaced with double spaces — are exactly what the character
 * and skeleton features must learn to see through.
 */
export type Disguise = (text: string, random: Random) => string;

const LEET: Record<string, string[]> = { a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0'], s: ['5', '$'], t: ['7'], g: ['9'], b: ['8'] };
const HOMOGLYPHS: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', i: 'і', s: 'ѕ', h: 'һ' };
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad'];
const NEUTRAL_EMOJI = ['😂', '🙏', '✨', '😍', '🔥', '👀', '🥺'];
const VOWELS = /[aeiou]/g;

/** Indices of words (runs of letters) long enough to disguise. */
function wordSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(/\p{L}[\p{L}\p{M}]{2,}/gu)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

function onOneWord(text: string, random: Random, change: (word: string) => string): string {
  const spans = wordSpans(text);
  if (spans.length === 0) return text;
  const [from, to] = pick(spans, random);
  return text.slice(0, from) + change(text.slice(from, to)) + text.slice(to);
}

function perChar(word: string, random: Random, p: number, swap: (ch: string) => string | undefined): string {
  let out = '';
  for (const ch of word) {
    const replacement = random() < p ? swap(ch.toLowerCase()) : undefined;
    out += replacement ?? ch;
  }
  return out;
}

export const DISGUISES: Record<string, Disguise> = {
  spacedLetters: (text, random) => onOneWord(text, random, (w) => [...w].join(pick([' ', '  ', '.', '-', '_', ' . '], random))),
  spacedEverything: (text, random) => {
    const gap = pick([' ', '.'], random);
    return text
      .split(/\s+/)
      .map((w) => [...w].join(gap))
      .join(pick(['  ', '   ', ' / '], random));
  },
  runTogether: (text, random) => (random() < 0.5 ? text.replace(/\s+/g, '') : text.replace(/\s+(\S+)\s+/, '$1 ')),
  leetspeak: (text, random) => onOneWord(text, random, (w) => perChar(w, random, 0.5, (ch) => (LEET[ch] ? pick(LEET[ch], random) : undefined))),
  homoglyphs: (text, random) => perChar(text, random, 0.3, (ch) => HOMOGLYPHS[ch]),
  invisible: (text, random) => onOneWord(text, random, (w) => [...w].join(pick(INVISIBLE, random))),
  dropVowels: (text, random) => onOneWord(text, random, (w) => w[0] + w.slice(1).replace(VOWELS, '')),
  repeatLetters: (text, random) => onOneWord(text, random, (w) => w.replace(/[aeiou]/, (v) => v.repeat(3 + Math.floor(random() * 3)))),
  doubleSpaces: (text) => text.replace(/ /g, '  '),
  upperCase: (text) => text.toUpperCase(),
  emoji: (text, random) => `${text} ${pick(NEUTRAL_EMOJI, random)}${pick(NEUTRAL_EMOJI, random)}`,
};

const NAMES = Object.keys(DISGUISES).sort();

/** One or two disguises chosen at random; returns the disguised text and what was done. */
export function disguise(text: string, random: Random): { text: string; applied: string[] } {
  const count = random() < 0.6 ? 1 : 2;
  const applied: string[] = [];
  let out = text;
  for (let i = 0; i < count; i++) {
    const name = pick(NAMES, random);
    applied.push(name);
    out = DISGUISES[name](out, random);
  }
  return { text: out, applied };
}
