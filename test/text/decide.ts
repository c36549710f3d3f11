import type { TextSignals } from '../../src/domain/signals.js';
import { sexualisationRank } from '../../src/domain/signals.js';

export type Subject = 'adult' | 'minor' | 'none' | 'unknown';

export interface Decision {
  decision: 'allow' | 'block' | 'review';
  categories: string[];
}

/**
 * The policy semantics of the brief, from text signals alone, so the detector can be measured
 * before the real policy engine is wired in. Categories are listed in order of severity.
 */
export function decideFromSignals(signals: TextSignals, subject: Subject): Decision {
  const realPerson = signals.targetsRealPerson || subject === 'adult' || subject === 'minor';
  const minor = signals.minorCues || subject === 'minor';
  const rank = sexualisationRank(signals.sexualisation);
  const categories: string[] = [];
  if (minor && rank >= sexualisationRank('revealing')) categories.push('minor_sexual');
  if (signals.sexualViolence) categories.push('sexual_violence');
  if (realPerson && rank >= sexualisationRank('revealing')) categories.push('sexualize_real_person');
  if (signals.sexualisation === 'explicit' && !realPerson && !minor) categories.push('nudity');
  return { decision: categories.length > 0 ? 'block' : 'allow', categories };
}
