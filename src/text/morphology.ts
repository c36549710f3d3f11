/**
 * Candidate lexicon keys for one normalised word: the word itself, then inflected and affixed
 * forms stripped back to a stem. The lexicon decides which candidate means something, so the
 * stripping can be generous without knowing the language of the word.
 */

const MIN_STEM = 4;
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Letters repeated for emphasis or spelling variation ("seexy", "utaar") squeezed to one. */
export function squeeze(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) if (i === 0 || word[i] !== word[i - 1]) out += word[i];
  return out;
}

/** A key that also forgives "1" read as "i" where "l" was meant ("c1othes"). */
export function looseKey(word: string): string {
  return squeeze(word.replaceAll('l', 'i'));
}

const ID_SUFFIXES = ['nya', 'kan', 'in', 'i', 'lah', 'ku', 'mu', 'pun', 'an'];
const ID_PREFIXES = ['di', 'ter', 'ber', 'ke', 'per', 'se'];

/** Indonesian/Malay meN- prefix with its sound changes: menelanjangi → telanjang(i), memakai → pakai. */
function stripMeN(word: string, out: string[]): void {
  if (!word.startsWith('me')) return;
  const add = (stem: string): void => {
    if (stem.length >= MIN_STEM) out.push(stem);
  };
  for (const [prefix, restore] of [
    ['meng', 'k'],
    ['meny', 's'],
    ['mem', 'p'],
    ['men', 't'],
  ] as const) {
    if (word.startsWith(prefix)) {
      const rest = word.slice(prefix.length);
      add(rest);
      if (rest.length > 0 && VOWELS.has(rest[0])) add(restore + rest);
    }
  }
  add(word.slice(2));
}

/** Which languages a candidate key may be read in, as a bit mask over `LANGUAGE_BITS`. */
export const LANGUAGE_BITS = { en: 1, id: 2, ms: 4, fr: 8, hi: 16, unknown: 32 } as const;
export const ALL_LANGUAGES = 63;
const EN = LANGUAGE_BITS.en;
const FR = LANGUAGE_BITS.fr;
const IDMS = LANGUAGE_BITS.id | LANGUAGE_BITS.ms;

export interface Candidate {
  key: string;
  /** Languages whose entries this reading may match: an Indonesian affix stripped off "violin" must not find French "viol". */
  mask: number;
}

function indonesianStems(word: string, out: string[]): void {
  const bases = [word];
  for (const prefix of ID_PREFIXES) if (word.startsWith(prefix) && word.length - prefix.length >= MIN_STEM) bases.push(word.slice(prefix.length));
  const meForms: string[] = [];
  stripMeN(word, meForms);
  bases.push(...meForms);
  for (const base of bases) {
    if (base !== word) out.push(base);
    for (const suffix of ID_SUFFIXES) {
      // "-nya" is distinctive enough to strip from short stems ("roknya" → "rok").
      if (base.endsWith(suffix) && base.length - suffix.length >= (suffix === 'nya' ? 3 : MIN_STEM)) {
        const stem = base.slice(0, -suffix.length);
        out.push(stem);
        // "pakaikannya", "telanjanginnya": a second suffix before -nya.
        if (suffix === 'nya')
          for (const inner of ['kan', 'in', 'i']) if (stem.endsWith(inner) && stem.length - inner.length >= MIN_STEM) out.push(stem.slice(0, -inner.length));
      }
    }
  }
}

function europeanStems(word: string, out: Candidate[]): void {
  if (word.length < MIN_STEM + 1) return;
  const add = (key: string, mask: number): void => {
    if (key.length >= 3) out.push({ key, mask });
  };
  if (word.endsWith('s')) add(word.slice(0, -1), EN | FR);
  if (word.endsWith('es')) add(word.slice(0, -2), EN | FR);
  if (word.endsWith('ed')) {
    // "undressed" → "undress", "removed" → "remove"; but "striped" is not "strip".
    const base = word.slice(0, -2);
    if (base.length >= 2 && base[base.length - 1] === base[base.length - 2]) add(base, EN);
    else add(word.slice(0, -1), EN);
  }
  if (word.endsWith('ing')) {
    const base = word.slice(0, -3);
    if (base.length >= 2 && base[base.length - 1] === base[base.length - 2] && !base.endsWith('ss')) add(base.slice(0, -1), EN);
    else {
      add(base, EN);
      add(base + 'e', EN);
    }
  }
  if (word.endsWith('ee') || word.endsWith('ees')) add(word.replace(/ees?$/, 'e'), FR);
  if (word.endsWith('ez')) {
    add(word.slice(0, -2) + 'er', FR);
    add(word.slice(0, -1), FR);
  }
}

function isLatin(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (!(c >= 0x61 && c <= 0x7a) && c !== 0x2a) return false;
  }
  return true;
}

const cache = new Map<string, readonly Candidate[]>();

/**
 * Keys to try for a word, the word itself first. `disguised` (the original text differed:
 * leetspeak, spacing, repeats) unlocks the looser keys, which would be too eager on plain text.
 */
export function candidateKeys(word: string, disguised: boolean): readonly Candidate[] {
  const cacheKey = disguised ? '\u0001' + word : word;
  const known = cache.get(cacheKey);
  if (known !== undefined) return known;
  const out: Candidate[] = [{ key: word, mask: ALL_LANGUAGES }];
  if (isLatin(word)) {
    europeanStems(word, out);
    const stems: string[] = [];
    indonesianStems(word, stems);
    for (const key of stems) out.push({ key, mask: IDMS });
    if (disguised) {
      // Letters repeated or disguised: the squeezed and loose readings are tried by the lexicon.
      // A spaced-out word joins the one-letter words next to it: "a b i k i n i" → "abikini",
      // "p o r n o d une" → "pornod". Try the word without its first or last letter.
      if (word.length >= 4 && (word[0] === 'a' || word[0] === 'i' || word[0] === 'y')) out.push({ key: word.slice(1), mask: ALL_LANGUAGES });
      if (word.length >= 5) out.push({ key: word.slice(0, -1), mask: ALL_LANGUAGES });
    }
  }
  const merged = new Map<string, number>();
  for (const c of out) merged.set(c.key, (merged.get(c.key) ?? 0) | c.mask);
  const unique = [...merged].map(([key, mask]) => ({ key, mask }));
  if (cache.size > 100_000) cache.clear();
  cache.set(cacheKey, unique);
  return unique;
}
