/**
 * What the model-based image detectors observe. The policy reads these; the worker pool
 * carries them across threads, so every type here is plain, structured-cloneable data.
 */
import type { DecodedImage } from '../decoded-image.js';

/** nsfwjs class probabilities, each 0..1, summing to about 1. */
export interface NuditySignals {
  drawing: number;
  hentai: number;
  neutral: number;
  porn: number;
  sexy: number;
}

export interface DetectedFace {
  /** `[x, y, width, height]` in pixels of the image AFTER its EXIF orientation is applied (as a viewer shows it). */
  box: [number, number, number, number];
  /** Detector confidence 0..1. */
  score: number;
  /** Apparent age in years, as the model estimates it; not a verified age. */
  age: number;
  /** "female" | "male" when the model is confident enough, otherwise absent. */
  gender?: string;
}

export interface FaceSignals {
  count: number;
  faces: DetectedFace[];
}

export const DETECTOR_FAILURE_CODES = ['timeout', 'crashed', 'error', 'unavailable'] as const;
export type DetectorFailureCode = (typeof DETECTOR_FAILURE_CODES)[number];

/**
 * A detector that could not answer. The policy must treat its signal as unknown and fail
 * closed: a failure never reads as "nothing found".
 */
export interface DetectorFailure {
  /** The detector's name, or "pool" when the whole analysis was lost (worker crash, timeout). */
  detector: string;
  code: DetectorFailureCode;
  message: string;
}

/**
 * The image signals of one image. A `null` signal means "not measured" (detector absent or
 * failed, see `failures`), never "nothing found".
 */
export interface ImageSignals {
  nudity: NuditySignals | null;
  faces: FaceSignals | null;
  failures: DetectorFailure[];
}

/** One model behind one narrow interface; the pool and the contract tests see only this. */
export interface ImageDetector {
  readonly name: string;
  /** Model and configuration identifier, recorded with decisions so they can be explained later. */
  readonly version: string;
  /** Fills the signals it measures; throws on failure (the caller turns that into a `failures` entry). */
  analyse(img: DecodedImage): Promise<Partial<Pick<ImageSignals, 'nudity' | 'faces'>>>;
  close?(): Promise<void>;
}

/** Signals for an image no detector has looked at yet. */
export function emptyImageSignals(): ImageSignals {
  return { nudity: null, faces: null, failures: [] };
}
