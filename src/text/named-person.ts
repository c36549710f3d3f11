/**
 * Finds names of people written in a prompt ("Taylor Swift in lingerie"): two or three
 * consecutive capitalised words that the lexicon does not know, in a prompt that is not
 * written in title case, and not followed by a place word ("Bondi Beach"). It is a heuristic
 * and says so in its evidence; lower-case names are not found.
 */

const TITLE_WORD = /^\p{Lu}[\p{Ll}\p{M}'’.-]+$/u;
const CALENDAR = new Set([
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'christmas',
  'easter',
  'halloween',
  'ramadan',
  'eid',
  'diwali',
  'new',
  'year',
  'lebaran',
  'noel',
]);

export interface NameToken {
  /** The word as written in the original prompt. */
  original: string;
  normalised: string;
  isWord: boolean;
  /** The lexicon knows this word (any entry), so it is not part of a name. */
  known: boolean;
  place: boolean;
}

/** Token index ranges [from, to) that look like personal names. */
export function findNamedPeople(tokens: readonly NameToken[]): Array<{ from: number; to: number }> {
  let words = 0;
  let titled = 0;
  for (const t of tokens) {
    if (!t.isWord || !/\p{L}/u.test(t.original)) continue;
    words++;
    if (/^\p{Lu}/u.test(t.original)) titled++;
  }
  // "Put Her In A Bikini Pls": in a title-case prompt capitals say nothing about names.
  if (words >= 3 && titled / words >= 0.6) return [];
  const isCandidate = (t: NameToken): boolean =>
    t.isWord && !t.known && !t.place && t.original.length >= 2 && TITLE_WORD.test(t.original) && !CALENDAR.has(t.normalised);
  const found: Array<{ from: number; to: number }> = [];
  let i = 0;
  while (i < tokens.length) {
    if (!isCandidate(tokens[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && j - i < 3 && isCandidate(tokens[j])) j++;
    const next = tokens[j];
    if (j - i >= 2 && !(next !== undefined && next.place)) found.push({ from: i, to: j });
    i = j;
  }
  return found;
}
