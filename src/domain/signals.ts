/**
 * Signals are what detectors observe; the policy turns them into decisions.
 * These types are the contract between `text/`, `image/`, `match/` and the policy engine.
 */

export const LANGUAGES = ['en', 'id', 'ms', 'fr', 'hi', 'unknown'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Ordered from least to most sexual; compare with `sexualisationRank`. */
export const SEXUALISATION_LEVELS = ['none', 'revealing', 'suggestive', 'explicit'] as const;
export type Sexualisation = (typeof SEXUALISATION_LEVELS)[number];

export function sexualisationRank(level: Sexualisation): number {
  return SEXUALISATION_LEVELS.indexOf(level);
}

export const TEXT_SIGNAL_KINDS = ['sexualisation', 'target', 'minor', 'sexual_violence'] as const;
export type TextSignalKind = (typeof TEXT_SIGNAL_KINDS)[number];

/** How a prompt points at a real person. */
export const TARGET_KINDS = ['reference', 'mention', 'named'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** One piece of evidence: which words of the original prompt raised which signal, and why. */
export interface Evidence {
  signal: TextSignalKind;
  /** The lexicon entry or grammar rule that matched, e.g. "garment.revealing:bikini" or "undress-verb". */
  rule: string;
  /** Offsets into the ORIGINAL prompt (UTF-16 code units, end exclusive), so a reviewer sees the raw text. */
  start: number;
  end: number;
  /** `prompt.slice(start, end)`. */
  text: string;
  /** For sexualisation evidence: the level this piece supports. */
  level?: Sexualisation;
  /** For evidence from the learned model: the score of the head this piece pushed up, 0..1. */
  score?: number;
}

/**
 * The heads of the learned intent model. The sexualisation heads are ordinal: `revealing` is
 * P(level ≥ revealing), `suggestive` P(level ≥ suggestive), `explicit` P(level = explicit).
 */
export const TEXT_MODEL_HEADS = ['revealing', 'suggestive', 'explicit', 'minor', 'sexual_violence', 'target'] as const;
export type TextModelHead = (typeof TEXT_MODEL_HEADS)[number];
export type TextModelScores = Record<TextModelHead, number>;

/** What the learned model said about a prompt. The policy decides what its scores mean. */
export interface TextModelSignals {
  name: string;
  version: string;
  scores: TextModelScores;
  /**
   * The words that pushed each head up the most, for heads scoring at least the evidence floor
   * (the detector does not know the policy's thresholds). `rule` is "model:<name>@<version>".
   */
  evidence: Evidence[];
}

export interface TextSignals {
  language: Language;
  sexualisation: Sexualisation;
  /** The prompt points at a real person: the person in the reference image, an @mention or a named person. */
  targetsRealPerson: boolean;
  targetKinds: TargetKind[];
  /** Ages under 18, school levels, child nouns, loli/shota, and similar cues. */
  minorCues: boolean;
  sexualViolence: boolean;
  evidence: Evidence[];
  /** The learned model's second opinion; absent when the detector runs the lexicon alone. */
  model?: TextModelSignals;
}

/** A detector of sexualising intent in a prompt. Pure and synchronous: it must never do I/O. */
export interface TextDetector {
  readonly name: string;
  readonly version: string;
  /** The learned model it runs beside its lexicon, if any: recorded with every decision. */
  readonly model?: { readonly name: string; readonly version: string };
  analyse(prompt: string): TextSignals;
}
