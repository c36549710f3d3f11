/**
 * Character tables used by the normaliser. They are code, not lexicon data, because they
 * describe how text is disguised rather than what it means.
 */

/**
 * Cyrillic and Greek letters that look like Latin ones, mapped to the Latin letter they
 * imitate. Upper case is listed separately because lower-casing first would lose the
 * resemblance (Greek capital eta "Η" looks like "H", its lower case "η" like "n").
 */
export const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic capitals
    А: 'a',
    В: 'b',
    Е: 'e',
    Ё: 'e',
    К: 'k',
    М: 'm',
    Н: 'h',
    О: 'o',
    Р: 'p',
    С: 'c',
    Т: 't',
    У: 'y',
    Х: 'x',
    Ѕ: 's',
    І: 'i',
    Ї: 'i',
    Ј: 'j',
    Ԛ: 'q',
    Ԝ: 'w',
    Ү: 'y',
    Һ: 'h',
    Ӏ: 'l',
    // Cyrillic small
    а: 'a',
    в: 'b',
    е: 'e',
    ё: 'e',
    к: 'k',
    м: 'm',
    н: 'h',
    о: 'o',
    р: 'p',
    с: 'c',
    т: 't',
    у: 'y',
    х: 'x',
    ѕ: 's',
    і: 'i',
    ї: 'i',
    ј: 'j',
    ԁ: 'd',
    ԛ: 'q',
    ԝ: 'w',
    ү: 'y',
    һ: 'h',
    ӏ: 'l',
    ь: 'b',
    ѡ: 'w',
    ɡ: 'g',
    // Greek capitals
    Α: 'a',
    Β: 'b',
    Ε: 'e',
    Ζ: 'z',
    Η: 'h',
    Ι: 'i',
    Κ: 'k',
    Μ: 'm',
    Ν: 'n',
    Ο: 'o',
    Ρ: 'p',
    Τ: 't',
    Υ: 'y',
    Χ: 'x',
    // Greek small
    α: 'a',
    β: 'b',
    ε: 'e',
    η: 'n',
    ι: 'i',
    κ: 'k',
    ν: 'v',
    ο: 'o',
    ρ: 'p',
    τ: 't',
    υ: 'u',
    χ: 'x',
    γ: 'y',
    ω: 'w',
    μ: 'u',
    // Latin look-alikes outside ASCII that NFKD does not fold
    ı: 'i',
    ɑ: 'a',
    ɩ: 'i',
    ʟ: 'l',
    ꞁ: 'l',
    ø: 'o',
    đ: 'd',
    ł: 'l',
    ß: 'ss',
    æ: 'ae',
    œ: 'oe',
  }),
);

/**
 * Emoji that stand for garments, body parts or fluids, replaced by a word the lexicons know.
 * Emoji with no sexual reading in edit requests are simply dropped by the tokeniser.
 */
export const EMOJI_WORDS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    '👙': 'bikini',
    '🩱': 'swimsuit',
    '🩲': 'underwear',
    '👅': 'tongue',
    '🍑': 'butt',
    '🍆': 'penis',
    '💦': 'cum',
    '🍈': 'boobs',
    '🫦': 'seductive',
    '🔞': 'nsfw',
    '👄': 'lips',
    '🍒': 'boobs',
  }),
);

/** Digits and symbols used as letters inside words ("r3move", "b1k1n1", "n@ked", "$exy"). */
export const LEET: ReadonlyMap<string, string> = new Map(
  Object.entries({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '€': 'e', '£': 'l', '|': 'l' }),
);

/** Characters that separate disguised single letters: "u n d r e s s", "n.u.d.e", "n-u-d-e". */
export function isLetterSeparator(ch: string): boolean {
  return ch === ' ' || ch === '.' || ch === '-' || ch === '_' || ch === '·' || ch === '•' || ch === '*' || ch === '/' || ch === '|' || ch === '+' || ch === ',';
}

/**
 * Invisible characters that change nothing a reader sees: zero-width spaces and joiners,
 * bidi controls, soft hyphen, variation selectors and Unicode tags.
 */
export function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) || // skin-tone modifiers
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** Combining marks that are dropped: Latin diacritics, and the Devanagari nukta (ड़ → ड) so spellings meet. */
export function isDroppedMark(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) || cp === 0x093c;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const wordCharCache = new Map<string, boolean>();

/** Letters, marks and digits of any script. ASCII is answered without a regular expression. */
export function isWordChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  let known = wordCharCache.get(ch);
  if (known === undefined) {
    known = WORD_CHAR.test(ch);
    if (wordCharCache.size < 10_000) wordCharCache.set(ch, known);
  }
  return known;
}

export function isLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return isWordChar(ch) && !(ch >= '0' && ch <= '9');
}

export function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Single Latin letters are the only ones collapsed when spaced out; other scripts are written in clusters. */
export function isAsciiLetter(ch: string): boolean {
  return ch.length === 1 && ch >= 'a' && ch <= 'z';
}
