import type { Token } from '../tokenise.js';

/**
 * Hashed features of a normalised prompt for the learned intent model. Pure and allocation-light:
 * strings are hashed in place (FNV-1a over UTF-16 units), never sliced, so the whole extraction is
 * linear in the prompt length.
 *
 * The features are chosen so that the disguises people use cannot hide a word by construction:
 * - word unigrams and bigrams, with every @mention folded to one token (handles are arbitrary);
 * - character 3- to 5-grams of each word with boundary marks (`<buk`, `nya>`): morphology,
 *   affixes (`bajunya`, `menelanjangi`), misspellings and partial leetspeak share most grams;
 * - the consonant skeleton of each word and of each bigram (`clothes` and `clths` are both
 *   `clths`): SMS spellings that drop vowels land on the same feature;
 * - character 5-grams of the text with every space removed: words run together
 *   (`takeoffherclothes`) or letters spaced out beyond what the normaliser joins share grams
 *   with the plain spelling.
 * Invisible characters, look-alike letters, case, full-width forms and most leetspeak are undone
 * before this by `normalise`, so they change no feature at all.
 */

/** Feature families; each hashes with its own seed so families never collide by construction. */
const SEED = { word: 0x01, bigram: 0x02, gram: 0x03, skeleton: 0x04, skeletonBigram: 0x05, squeezed: 0x06 } as const;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** One occurrence of a feature: its bucket and the span of normalised text it was read from. */
export interface FeatureSpan {
  bucket: number;
  /** Offsets into the normalised text, end exclusive. */
  start: number;
  end: number;
}

export interface FeatureOptions {
  /** Number of hash buckets; a power of two. */
  buckets: number;
}

function mix(h: number, unit: number): number {
  return Math.imul(h ^ unit, FNV_PRIME);
}

function hashRange(h: number, text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = mix(h, text.charCodeAt(i));
  return h;
}

/** A final avalanche so that nearby inputs spread over all buckets (FNV's low bits are weak). */
function finish(h: number, mask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) & mask;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
/** Devanagari dependent vowel signs, the virama and nasal marks: dropped like Latin vowels. */
function isDevanagariVowelSign(code: number): boolean {
  return (code >= 0x093e && code <= 0x094d) || code === 0x0901 || code === 0x0902 || code === 0x0903 || (code >= 0x0962 && code <= 0x0963);
}

/** The consonant skeleton of a word: vowels after the first letter dropped, doubled letters single. */
export function skeleton(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    const code = word.charCodeAt(i);
    if (i > 0 && (VOWELS.has(ch) || isDevanagariVowelSign(code))) continue;
    if (out.length > 0 && out[out.length - 1] === ch) continue;
    out += ch;
  }
  return out;
}

/** The tokens the model reads: words, numbers and mentions; a mention reads as the word "@". */
export interface ModelToken {
  text: string;
  start: number;
  end: number;
  /** A clause boundary stands before this token: bigrams never cross it. */
  afterBoundary: boolean;
}

export function modelTokens(tokens: readonly Token[]): ModelToken[] {
  const out: ModelToken[] = [];
  let boundary = true;
  for (const t of tokens) {
    if (t.kind === 'boundary') {
      boundary = true;
      continue;
    }
    out.push({ text: t.kind === 'mention' ? '@' : t.text, start: t.start, end: t.end, afterBoundary: boundary });
    boundary = false;
  }
  return out;
}

/** Longest run of tokens read; the rest of a 100 kB prompt adds nothing but time. */
export const MAX_MODEL_TOKENS = 400;

/** Every feature occurrence of one prompt: its bucket and the span of normalised text it came from. */
export interface Features {
  length: number;
  bucket: Int32Array;
  /** Offsets into the normalised text, end exclusive. */
  start: Int32Array;
  end: Int32Array;
  /** The tokens the feature was read from: `firstToken` .. `lastToken`, inclusive. */
  firstToken: Int32Array;
  lastToken: Int32Array;
}

let scratch: Features | undefined;

/**
 * One set of buffers reused from call to call: extraction runs on every screened prompt, and
 * fresh typed arrays each time cost more in garbage collection than the extraction itself.
 */
function scratchFeatures(capacity: number): Features {
  if (scratch === undefined || scratch.bucket.length < capacity) {
    const size = Math.max(capacity, 4096);
    scratch = {
      length: 0,
      bucket: new Int32Array(size),
      start: new Int32Array(size),
      end: new Int32Array(size),
      firstToken: new Int32Array(size),
      lastToken: new Int32Array(size),
    };
  }
  scratch.length = 0;
  return scratch;
}

/** Character n-gram sizes read inside each word. */
const GRAM_MIN = 3;
const GRAM_MAX = 5;
const SQUEEZED = 5;

/**
 * Extracts every feature of the tokens in one pass. N-grams of a word are hashed incrementally
 * (the 4-gram continues the 3-gram's hash), so the cost per word is linear in its length.
 * The result lives in shared buffers and is valid until the next call: use it at once, or copy.
 */
export function extractFeatures(tokens: readonly ModelToken[], options: FeatureOptions): Features {
  const mask = options.buckets - 1;
  const count = Math.min(tokens.length, MAX_MODEL_TOKENS);
  let capacity = 0;
  for (let i = 0; i < count; i++) capacity += (GRAM_MAX - GRAM_MIN + 2) * (tokens[i].text.length + 2) + 4;
  const out = scratchFeatures(capacity);
  const emit = (h: number, start: number, end: number, first: number, last: number): void => {
    const k = out.length++;
    out.bucket[k] = finish(h, mask);
    out.start[k] = start;
    out.end[k] = end;
    out.firstToken[k] = first;
    out.lastToken[k] = last;
  };
  const gramSeed = mix(FNV_OFFSET, SEED.gram);
  let previousSkeleton = '';
  for (let i = 0; i < count; i++) {
    const t = tokens[i];
    const w = t.text;
    const n = w.length;
    emit(hashRange(mix(FNV_OFFSET, SEED.word), w, 0, n), t.start, t.end, i, i);
    // Character n-grams of "<word>": positions -1 and n stand for the boundary marks.
    for (let from = -1; from + GRAM_MIN <= n + 1; from++) {
      let h = gramSeed;
      for (let k = from; k < from + GRAM_MAX && k <= n; k++) {
        h = mix(h, k < 0 ? 0x3c : k >= n ? 0x3e : w.charCodeAt(k));
        const size = k - from + 1;
        if (size >= GRAM_MIN) emit(mix(h, size), t.start + Math.max(0, from), t.start + Math.min(n, k + 1), i, i);
      }
    }
    const sk = skeleton(w);
    if (sk.length >= 2) emit(hashRange(mix(FNV_OFFSET, SEED.skeleton), sk, 0, sk.length), t.start, t.end, i, i);
    if (i > 0 && !t.afterBoundary) {
      const p = tokens[i - 1];
      emit(hashRange(mix(hashRange(mix(FNV_OFFSET, SEED.bigram), p.text, 0, p.text.length), 0x20), w, 0, n), p.start, t.end, i - 1, i);
      emit(
        hashRange(mix(hashRange(mix(FNV_OFFSET, SEED.skeletonBigram), previousSkeleton, 0, previousSkeleton.length), 0x20), sk, 0, sk.length),
        p.start,
        t.end,
        i - 1,
        i,
      );
    }
    previousSkeleton = sk;
  }
  squeezedGrams(tokens, count, emit);
  return out;
}

/** Character 5-grams over the words with every space removed, each mapped back to its span. */
function squeezedGrams(tokens: readonly ModelToken[], count: number, emit: (h: number, start: number, end: number, first: number, last: number) => void): void {
  // A ring of the last SQUEEZED characters with their normalised offsets and tokens.
  const ring = new Int32Array(SQUEEZED);
  const at = new Int32Array(SQUEEZED);
  const from = new Int32Array(SQUEEZED);
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const t = tokens[i];
    if (t.text === '@') continue;
    for (let k = 0; k < t.text.length; k++) {
      ring[seen % SQUEEZED] = t.text.charCodeAt(k);
      at[seen % SQUEEZED] = t.start + k;
      from[seen % SQUEEZED] = i;
      seen++;
      if (seen < SQUEEZED) continue;
      let h = mix(FNV_OFFSET, SEED.squeezed);
      for (let j = seen - SQUEEZED; j < seen; j++) h = mix(h, ring[j % SQUEEZED]);
      emit(h, at[(seen - SQUEEZED) % SQUEEZED], at[(seen - 1) % SQUEEZED] + 1, from[(seen - SQUEEZED) % SQUEEZED], i);
    }
  }
}
