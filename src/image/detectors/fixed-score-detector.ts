import type { DecodedImage } from '../decoded-image.js';
import type { FaceSignals, ImageDetector, NuditySignals } from './types.js';

export interface FixedScores {
  nudity?: NuditySignals;
  faces?: FaceSignals;
  /** Milliseconds to wait before answering, to exercise timeouts and concurrency. */
  delayMs?: number;
  /** Throw this message instead of answering, to exercise failure handling. */
  fail?: string;
}

/** Benign scores: what a landscape photo typically gets. */
export const NEUTRAL_NUDITY: NuditySignals = { drawing: 0.02, hentai: 0.01, neutral: 0.95, porn: 0.01, sexy: 0.01 };

/**
 * A detector that returns configured scores. The repository must never hold sexual imagery
 * or images of real children, so this is how tests drive the policy through positive
 * nudity and possible-minor detections.
 *
 * @example
 * const d = new FixedScoreDetector({ nudity: { ...NEUTRAL_NUDITY, porn: 0.97, neutral: 0.01 } });
 * await d.analyse(img); // { nudity: { ..., porn: 0.97 } }
 */
export class FixedScoreDetector implements ImageDetector {
  readonly name = 'fixed';
  readonly version = 'fixed-1';
  constructor(private readonly scores: FixedScores) {}

  async analyse(_img: DecodedImage): Promise<{ nudity?: NuditySignals; faces?: FaceSignals }> {
    if (this.scores.delayMs) await new Promise((r) => setTimeout(r, this.scores.delayMs));
    if (this.scores.fail !== undefined) throw new Error(this.scores.fail);
    const out: { nudity?: NuditySignals; faces?: FaceSignals } = {};
    // Copies, so a caller mutating one result cannot change the next.
    if (this.scores.nudity) out.nudity = { ...this.scores.nudity };
    if (this.scores.faces) out.faces = { count: this.scores.faces.count, faces: this.scores.faces.faces.map((f) => ({ ...f, box: [...f.box] })) };
    return out;
  }
}
