import type { FactEvidence } from '../decision.js';
import type { Evidence, TextSignals } from '../signals.js';
import { combineTextSignals } from './combine-text.js';
import type { FactEvidenceMap } from './evaluate.js';
import type { ScreeningFacts } from './facts.js';
import type { Policy } from './schema.js';

export const SUBJECTS = ['adult', 'minor', 'none', 'unknown'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** What the image side observed about one image; null fields mean that detector did not run. */
export interface ImageObservation {
  index: number;
  faces: { count: number; ages: number[] } | null;
  /** porn + hentai probability, 0..1. */
  nudity: number | null;
}

export interface BankMatchObservation {
  bank: string;
  purpose: string;
  distance: number;
  pdq: string;
}

/** Everything known about one screening, in the shape the policy needs. */
export interface ScreeningObservations {
  stage: 'request' | 'output';
  subject: Subject;
  text: TextSignals | null;
  /** How many images came with the request (reference images) or were produced (output). */
  imageCount: number;
  images: ImageObservation[];
  consentWithheld: FactEvidence[];
  bankMatches: BankMatchObservation[];
  accountSuspended: FactEvidence[];
  failures: Array<{ detector: string; message: string }>;
}

/**
 * Reduces observations to facts, with the evidence for each. Conservative by design: a
 * reference image counts as a real person unless the caller says it shows no one, and an
 * apparent age under the policy's threshold counts as a possible minor.
 */
export function deriveFacts(policy: Policy, obs: ScreeningObservations): { facts: ScreeningFacts; evidence: FactEvidenceMap } {
  const evidence: FactEvidenceMap = {};
  const add = (item: FactEvidence): void => {
    const name = item.fact as keyof ScreeningFacts;
    (evidence[name] ??= []).push(item);
  };
  const text = combineTextSignals(policy.text_model, obs.text);
  for (const item of text.evidence) add(textEvidence(item));

  let realPerson = text.realPerson;
  if (obs.subject === 'adult' || obs.subject === 'minor') {
    realPerson = true;
    add({ source: 'subject', fact: 'real_person', detail: `The caller says the reference image shows a real ${obs.subject === 'minor' ? 'child' : 'adult'}.` });
  } else if (obs.stage === 'request' && obs.subject === 'unknown') {
    // The cost of a false block is a retry with `subject: none`; the cost of a miss is the harm
    // this project exists to stop. So an edit of an unstated subject is an edit of a real person.
    realPerson = true;
    const detail =
      obs.imageCount > 0
        ? 'A reference image was supplied and the caller did not say it shows no one, so it is treated as a photo of a real person.'
        : 'The caller did not say what the edit is of (subject unknown), so it is treated as an edit of a real person; send subject "none" for a scene with no real person.';
    add({ source: 'subject', fact: 'real_person', detail });
  }

  const faces = obs.images.reduce((sum, image) => sum + (image.faces?.count ?? 0), 0);
  if (faces > 0) {
    realPerson = obs.stage === 'request' || realPerson;
    add({ source: 'image', fact: 'faces', detail: `${faces} face(s) detected.` });
    if (obs.stage === 'request') add({ source: 'image', fact: 'real_person', detail: `${faces} face(s) detected in the reference image(s).` });
  }

  let minor = text.minor;
  if (obs.subject === 'minor') {
    minor = true;
    add({ source: 'subject', fact: 'minor', detail: 'The caller says the reference image shows a minor.' });
  }
  const threshold = policy.settings.possible_minor_age;
  for (const image of obs.images) {
    // A face whose age the model could not estimate (NaN) counts as young: unknown is not adult.
    const young = (image.faces?.ages ?? []).filter((age) => !(age >= threshold));
    if (young.length > 0) {
      minor = true;
      add({
        source: 'image',
        fact: 'minor',
        detail: `Image ${image.index}: apparent age ${young.map((age) => (Number.isFinite(age) ? age.toFixed(0) : 'unknown')).join(', ')} is under ${threshold}, so a minor cannot be ruled out.`,
      });
    }
  }

  let nudity = 0;
  for (const image of obs.images) {
    if (image.nudity !== null && image.nudity > nudity) nudity = image.nudity;
  }
  if (nudity > 0) add({ source: 'image', fact: 'image_nudity', detail: `Highest nudity score ${nudity.toFixed(3)}.` });

  for (const item of obs.consentWithheld) add(item);
  for (const item of obs.accountSuspended) add(item);
  for (const match of obs.bankMatches) {
    add({ source: 'bank', fact: 'bank_purposes', detail: `Matches bank "${match.bank}" (${match.purpose}) at distance ${match.distance}: ${match.pdq}.` });
  }
  for (const failure of obs.failures) {
    add({ source: 'detector', fact: 'detector_failure', detail: `${failure.detector}: ${failure.message}` });
  }

  const facts: ScreeningFacts = {
    stage: obs.stage,
    sexualisation: text.sexualisation,
    real_person: realPerson,
    minor,
    sexual_violence: text.sexualViolence,
    adult_content: policy.settings.adult_content,
    consent_withheld: obs.consentWithheld.length > 0,
    bank_purposes: [...new Set(obs.bankMatches.map((match) => match.purpose))],
    account_suspended: obs.accountSuspended.length > 0,
    detector_failure: obs.failures.length > 0,
    image_nudity: nudity,
    faces,
  };
  return { facts, evidence };
}

const TEXT_FACT = { sexualisation: 'sexualisation', target: 'real_person', minor: 'minor', sexual_violence: 'sexual_violence' } as const;

function textEvidence(item: Evidence): FactEvidence {
  const level = item.level
    ? ` (${item.level}${item.score === undefined ? '' : ` ${item.score.toFixed(2)}`})`
    : item.score === undefined
      ? ''
      : ` (${item.score.toFixed(2)})`;
  return {
    source: 'text',
    fact: TEXT_FACT[item.signal],
    detail: `${item.rule}${level}`,
    span: [item.start, item.end],
    text: item.text,
  };
}
