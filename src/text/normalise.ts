import { CONFUSABLES, EMOJI_WORDS, isAsciiLetter, isDigit, isDroppedMark, isInvisible, isLetter, isLetterSeparator, isWordChar, LEET } from './char-maps.js';

/**
 * A normalised prompt with a map back to the original: for every UTF-16 unit `i` of `text`,
 * `start[i]`..`end[i]` is the span of the original prompt it came from. Evidence found in
 * `text` is reported against the original through `originalSpan`.
 */
export interface NormalisedText {
  text: string;
  start: Int32Array;
  end: Int32Array;
}

/** Characters in flight between stages: one code point (or a short expansion) each, with its origin. */
interface Chars {
  ch: string[];
  start: number[];
  end: number[];
}

const decomposeCache = new Map<string, string>();

function decompose(cp: string): string {
  let out = decomposeCache.get(cp);
  if (out === undefined) {
    out = cp.normalize('NFKD');
    if (decomposeCache.size < 50_000) decomposeCache.set(cp, out);
  }
  return out;
}

/** Stage 1, per code point: NFKD, case folding, confusables, diacritics, invisibles, emoji. */
function foldCodePoints(prompt: string): Chars {
  const out: Chars = { ch: [], start: [], end: [] };
  const push = (ch: string, s: number, e: number): void => {
    out.ch.push(ch);
    out.start.push(s);
    out.end.push(e);
  };
  let i = 0;
  while (i < prompt.length) {
    const code = prompt.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const s = i;
    const e = i + width;
    i = e;
    if (code < 0x80) {
      if (code >= 0x41 && code <= 0x5a) push(String.fromCharCode(code + 32), s, e);
      else if (code === 0x09 || code === 0x0a || code === 0x0d) push(code === 0x0a ? '\n' : ' ', s, e);
      else if (code >= 0x20) push(String.fromCharCode(code), s, e);
      continue;
    }
    if (isInvisible(code)) continue;
    // A lone surrogate could pair up with its neighbour once an invisible between them is
    // gone, which would break idempotence; it stands for nothing, so it becomes U+FFFD.
    if (code >= 0xd800 && code <= 0xdfff) {
      push('\ufffd', s, e);
      continue;
    }
    const cp = prompt.slice(s, e);
    const emoji = EMOJI_WORDS.get(cp);
    if (emoji !== undefined) {
      push(' ', s, e);
      for (const letter of emoji) push(letter, s, e);
      push(' ', s, e);
      continue;
    }
    const direct = CONFUSABLES.get(cp);
    if (direct !== undefined) {
      for (const letter of direct) push(letter, s, e);
      continue;
    }
    if (/\s/u.test(cp)) {
      push(' ', s, e);
      continue;
    }
    if (cp === '\u2019' || cp === '\u2018' || cp === '\u02bc') {
      push("'", s, e);
      continue;
    }
    for (const part of decompose(cp)) {
      const partCode = part.codePointAt(0) as number;
      if (isDroppedMark(partCode) || isInvisible(partCode)) continue;
      const lower = part.toLowerCase();
      for (const letter of lower) {
        const letterCode = letter.codePointAt(0) as number;
        if (isDroppedMark(letterCode)) continue;
        push(CONFUSABLES.get(letter) ?? letter, s, e);
      }
    }
  }
  return out;
}

/**
 * Stage 2: digits and symbols written for letters. A digit counts as a letter only after a
 * letter ("r3move", "b1k1n1"), so numbers such as ages ("14 years", "14yo") stay numbers.
 * A "*" between letters ("n*de") is kept as a one-letter wildcard for the lexicon lookup.
 */
function undoLeet(input: Chars): Chars {
  const { ch } = input;
  const out: string[] = new Array<string>(ch.length);
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i];
    const prev = i > 0 ? out[i - 1] : '';
    const next = i + 1 < ch.length ? ch[i + 1] : '';
    const prevLetter = prev !== '' && isLetter(prev);
    const nextLetter = next !== '' && (isLetter(next) || LEET.has(next));
    let mapped = c;
    const leet = LEET.get(c);
    if (leet !== undefined) {
      if (isDigit(c)) {
        if (prevLetter) mapped = leet;
      } else if (c === '$') {
        if (prevLetter || (nextLetter && (prev === '' || !isWordChar(prev)))) mapped = leet;
      } else if (prevLetter && nextLetter) {
        mapped = leet;
      }
    }
    out[i] = mapped;
  }
  return { ch: out, start: input.start, end: input.end };
}

/**
 * Stage 3: letters spaced or dotted apart ("u n d r e s s", "n.u.d.e") are joined when at
 * least three single letters stand in a row. Two are not enough: "a b" is ordinary text.
 */
function joinSpacedLetters(input: Chars): Chars {
  const { ch } = input;
  const n = ch.length;
  const isSingle = (i: number): boolean => isAsciiLetter(ch[i]) && (i === 0 || !isWordChar(ch[i - 1])) && (i + 1 === n || !isWordChar(ch[i + 1]));
  const drop = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    if (!isSingle(i)) {
      i++;
      continue;
    }
    // Extend the run: single letter, 1..3 separators, single letter, ...
    const letters = [i];
    let j = i + 1;
    for (;;) {
      let k = j;
      while (k < n && k - j < 3 && isLetterSeparator(ch[k])) k++;
      if (k === j || k >= n || !isSingle(k)) break;
      letters.push(k);
      j = k + 1;
    }
    if (letters.length >= 3) {
      for (let x = letters[0] + 1; x < letters[letters.length - 1]; x++) if (!isAsciiLetter(ch[x])) drop[x] = 1;
      // A trailing dot ("n.u.d.e.") belongs to the disguise, not to the sentence.
      const after = letters[letters.length - 1] + 1;
      if (after < n && ch[after] === '.' && (after + 1 === n || ch[after + 1] === ' ')) drop[after] = 1;
      i = letters[letters.length - 1] + 1;
    } else {
      i = j;
    }
  }
  return filter(input, drop);
}

/** Stage 4: a letter repeated three times or more is cut to two ("nuuuude" → "nuude"); the lexicon lookup squeezes the rest. */
function limitRepeats(input: Chars): Chars {
  const { ch } = input;
  const drop = new Uint8Array(ch.length);
  let run = 1;
  for (let i = 1; i < ch.length; i++) {
    if (ch[i] === ch[i - 1] && isLetter(ch[i])) {
      run++;
      if (run > 2) drop[i] = 1;
    } else {
      run = 1;
    }
  }
  return filter(input, drop);
}

function filter(input: Chars, drop: Uint8Array): Chars {
  let any = false;
  for (let i = 0; i < drop.length && !any; i++) any = drop[i] === 1;
  if (!any) return input;
  const out: Chars = { ch: [], start: [], end: [] };
  for (let i = 0; i < input.ch.length; i++) {
    if (drop[i] === 1) continue;
    out.ch.push(input.ch[i]);
    out.start.push(input.start[i]);
    out.end.push(input.end[i]);
  }
  return out;
}

/**
 * Normalises a prompt for detection. Pure, linear in the prompt length, and idempotent on
 * its own output (`normalise(normalise(x).text).text === normalise(x).text`).
 *
 * @example
 * normalise('R3move her  cl0thes').text // 'remove her  clothes'
 */
export function normalise(prompt: string): NormalisedText {
  const chars = limitRepeats(joinSpacedLetters(undoLeet(foldCodePoints(prompt))));
  const text = chars.ch.join('');
  const start = new Int32Array(text.length);
  const end = new Int32Array(text.length);
  let u = 0;
  for (let i = 0; i < chars.ch.length; i++) {
    for (let k = 0; k < chars.ch[i].length; k++) {
      start[u] = chars.start[i];
      end[u] = chars.end[i];
      u++;
    }
  }
  return { text, start, end };
}

/** The span of the original prompt behind normalised units `from`..`to` (end exclusive). */
export function originalSpan(norm: NormalisedText, from: number, to: number): { start: number; end: number } {
  if (norm.text.length === 0 || to <= from) return { start: 0, end: 0 };
  return { start: norm.start[from], end: norm.end[to - 1] };
}
