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

function indonesianStems(word: string, out: string[]): void {
  const bases = [word];
  for (const prefix of ID_PREFIXES) if (word.startsWith(prefix) && word.length - prefix.length >= MIN_STEM) bases.push(word.slice(prefix.length));
  const meForms: string[] = [];
  stripMeN(word, meForms);
  bases.push(...meForms);
  for (const base of bases) {
    if (base !== word) out.push(base);
    for (const suffix of ID_SUFFIXES) {
      if (base.endsWith(suffix) && base.length - suffix.length >= MIN_STEM) {
        const stem = base.slice(0, -suffix.length);
        out.push(stem);
        // "pakaikannya", "telanjanginnya": a second suffix before -nya.
        if (suffix === 'nya') for (const inner of ['kan', 'in', 'i']) if (stem.endsWith(inner) && stem.length - inner.length >= MIN_STEM) out.push(stem.slice(0, -inner.length));
      }
    }
  }
}

function europeanStems(word: string, out: string[]): void {
  if (word.length < MIN_STEM + 1) return;
  if (word.endsWith('s')) out.push(word.slice(0, -1));
  if (word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.endsWith('ed')) out.push(word.slice(0, -2), word.slice(0, -1));
  if (word.endsWith('ing')) out.push(word.slice(0, -3), word.slice(0, -3) + 'e');
  if (word.endsWith('ee') || word.endsWith('ees')) out.push(word.replace(/ees?$/, 'e'));
  if (word.endsWith('er')) out.push(word.slice(0, -2));
  if (word.endsWith('ez')) out.push(word.slice(0, -2) + 'er', word.slice(0, -1));
}

function isLatin(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (!(c >= 0x61 && c <= 0x7a) && c !== 0x2a) return false;
  }
  return true;
}

const cache = new Map<string, readonly string[]>();

/**
 * Keys to try for a word, the word itself first. `disguised` (the original text differed:
 * leetspeak, spacing, repeats) unlocks the looser keys, which would be too eager on plain text.
 */
export function candidateKeys(word: string, disguised: boolean): readonly string[] {
  const cacheKey = disguised ? '\u0001' + word : word;
  const known = cache.get(cacheKey);
  if (known !== undefined) return known;
  const out: string[] = [word];
  if (isLatin(word)) {
    europeanStems(word, out);
    indonesianStems(word, out);
    const squeezed = squeeze(word);
    if (squeezed !== word) out.push(squeezed);
    if (disguised) {
      out.push(looseKey(word));
      // "a b i k i n i" joins with the article before it: "abikini".
      if (word.length >= 5 && (word[0] === 'a' || word[0] === 'i' || word[0] === 'y')) out.push(word.slice(1));
    }
  }
  const unique = [...new Set(out)];
  if (cache.size > 100_000) cache.clear();
  cache.set(cacheKey, unique);
  return unique;
}
