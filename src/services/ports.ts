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

/** What a provenance manifest says about one generated image (C2PA, see `provenance/`). */
export interface OutputProvenance {
  /** The model that made the image, as the upstream named it (the manifest's generator). */
  generator: string;
  /** The output's screening decision, and the request decision it belongs to. */
  decisionId: string;
  requestDecisionId: string;
  policyVersion: string;
  /** Draw a visible "AI-generated" label onto the pixels (a policy choice per jurisdiction). */
  visibleLabel: boolean;
}

export type MarkedFormat = 'png' | 'jpeg';

export interface MarkedImage {
  bytes: Uint8Array;
  format: MarkedFormat;
  /** Set when the image was converted to a format that can carry a manifest, saying from what and why. */
  converted?: string;
}

/**
 * Marks an allowed output as AI-generated: an optional visible label, then a signed C2PA
 * manifest bound to the final bytes. The guard calls it for every image it returns; an image
 * that cannot be marked is not returned (PerisaiError `provenance_failed`).
 */
export interface ProvenanceMarker {
  /** The signer's certificate subject, and whether it is the self-signed development one. */
  readonly signer: { subject: string; development: boolean };
  /** Draws the visible label (when asked); the caller screens the result before signing it. */
  label(image: Uint8Array, provenance: Pick<OutputProvenance, 'visibleLabel'>): Promise<Uint8Array>;
  /** Embeds and signs the manifest; `want` is the format the client asked for, if any. */
  sign(image: Uint8Array, provenance: OutputProvenance, want?: string): Promise<MarkedImage>;
}

/** A file sent to the upstream with an edit: the client's bytes, never re-encoded. */
export interface UpstreamFile {
  bytes: Uint8Array<ArrayBuffer>;
  filename: string;
  contentType: string;
}

/**
 * One request as the guard forwards it, after screening allowed it: the prompt, OpenAI's
 * optional fields exactly as the client set them, and for an edit its images and mask.
 */
export interface UpstreamImageRequest {
  prompt: string;
  /** `model`, `n`, `size`, `quality`, `user`, ... as the client sent them; absent ones are not sent. */
  fields: Record<string, string | number>;
  images?: UpstreamFile[];
  mask?: UpstreamFile;
}

/** What the upstream answered, images already as bytes (fetched from its own host when it sent URLs). */
export interface UpstreamImages {
  created: number;
  images: Array<{ bytes: Uint8Array<ArrayBuffer>; revisedPrompt?: string }>;
  outputFormat?: string;
  size?: string;
  quality?: string;
  background?: string;
  usage?: Record<string, unknown>;
}

/**
 * An OpenAI-compatible image model (`src/upstream/`). Throws PerisaiError `upstream_failed` for
 * an error answer, an unreachable service or a malformed answer, and `upstream_timeout` when the
 * whole exchange outlasts its time-out; it never returns bytes it did not receive in full.
 */
export interface ImageUpstream {
  /** The upstream's origin (scheme, host, port), for logs and messages; never its key. */
  readonly origin: string;
  generate(request: UpstreamImageRequest): Promise<UpstreamImages>;
  edit(request: UpstreamImageRequest): Promise<UpstreamImages>;
}
