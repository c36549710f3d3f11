import type { Language } from '../domain/signals.js';
import type { Hit } from './lexicon.js';

const SCORED: readonly Language[] = ['en', 'id', 'ms', 'fr', 'hi'];

function hasDevanagari(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x0900 && c <= 0x097f) return true;
  }
  return false;
}

/**
 * Identifies the language from the lexicon hits: function words and single-language terms
 * vote, Devanagari script votes strongly for Hindi. Romanised Hindi and Indonesian/Malay
 * are told apart by their own function words. No votes, or a tie, gives "unknown" — except
 * Indonesian against Malay, where the shared words decide nothing and Indonesian, the larger
 * population, is the better guess.
 */
export function identifyLanguage(normalisedText: string, hits: readonly Hit[]): Language {
  const score = new Map<Language, number>(SCORED.map((l) => [l, 0]));
  if (hasDevanagari(normalisedText)) score.set('hi', (score.get('hi') ?? 0) + 3);
  for (const hit of hits) {
    const langs = hit.entry.lang.filter((l) => l !== 'unknown');
    if (langs.length === 0 || langs.length > 2) continue;
    const weight = (hit.entry.kind === 'function' ? 1 : 0.75) / langs.length;
    for (const l of langs) score.set(l, (score.get(l) ?? 0) + weight);
  }
  let best: Language = 'unknown';
  let bestScore = 0;
  let tie = false;
  for (const l of SCORED) {
    const s = score.get(l) ?? 0;
    if (s > bestScore + 1e-9) {
      best = l;
      bestScore = s;
      tie = false;
    } else if (s > 0 && Math.abs(s - bestScore) <= 1e-9) {
      tie = !(best === 'id' && l === 'ms');
    }
  }
  return tie || bestScore === 0 ? 'unknown' : best;
}
