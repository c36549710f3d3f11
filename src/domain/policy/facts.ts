import type { Sexualisation } from '../signals.js';

/**
 * The facts a policy rule can test. Every screening is reduced to these before the rules run,
 * so a rule reads like the principle it encodes ("minor AND sexualisation at least revealing").
 */
export interface ScreeningFacts {
  stage: 'request' | 'output';
  sexualisation: Sexualisation;
  /** The request or image concerns a real person: a reference photo, an @mention, a named person, a detected face. */
  real_person: boolean;
  /** A minor is, or may be, involved: text cues, the caller's subject hint, or an apparent age under the policy's threshold. */
  minor: boolean;
  sexual_violence: boolean;
  /** The deployment allows explicit content about fictional adults (a policy setting, exposed as a fact so rules can test it). */
  adult_content: boolean;
  consent_withheld: boolean;
  /** Purposes of the hash banks that matched an image (e.g. "csam", "ncii", "takedown"). */
  bank_purposes: string[];
  account_suspended: boolean;
  detector_failure: boolean;
  /** Highest nudity score (porn + hentai) over the images, 0 when there are none or no classifier ran. */
  image_nudity: number;
  faces: number;
}

export type FactName = keyof ScreeningFacts;
