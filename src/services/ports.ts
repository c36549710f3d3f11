import type { FactEvidence } from '../domain/decision.js';
import type { ImageSummary } from '../domain/decision-record.js';
import type { BankMatchObservation, ImageObservation } from '../domain/policy/derive-facts.js';

/**
 * The seams the screening service is built on. Implementations live in `image/`, `match/` and
 * `store/`; the service only sees these shapes, so tests can pass detectors with fixed scores.
 */

export interface DetectorFailure {
  detector: string;
  message: string;
}

/** One decoded and analysed image: hashes and detector observations, never pixels. */
export interface ImageAnalysis {
  summary: Omit<ImageSummary, 'index' | 'owner'>;
  observation: Omit<ImageObservation, 'index'>;
  failures: DetectorFailure[];
}

export interface ImageAnalyser {
  /** Names and versions of the detectors it runs, recorded with each decision. */
  readonly detectors: string[];
  /**
   * Decodes and analyses one image. Throws a PerisaiError for an image the caller must fix
   * (unsupported, truncated, too large); reports detector crashes and time-outs as failures.
   */
  analyse(bytes: Uint8Array): Promise<ImageAnalysis>;
  /** Whether the image models can answer now; absent for analysers without models (tests). */
  modelStatus?(): ImageModelStatus;
}

/**
 * `off`: models disabled by configuration (images are held for review); `idle`: not started
 * (they start on the first image); `loading`; `ready`: at least one worker has loaded them.
 */
export type ImageModelStatus = 'off' | 'idle' | 'loading' | 'ready';

/** Context for matchers: who asks, about which images. */
export interface MatchContext {
  stage: 'request' | 'output';
  requesterId: string | null;
  images: Array<ImageSummary>;
}

export interface MatchResult {
  consentWithheld: FactEvidence[];
  bankMatches: BankMatchObservation[];
  accountSuspended: FactEvidence[];
}

/** Consent registry, hash banks, account standing: anything that looks images or accounts up in the store. */
export interface Matcher {
  readonly name: string;
  match(context: MatchContext): Promise<Partial<MatchResult>>;
}
