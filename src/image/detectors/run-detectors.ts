import type { DecodedImage } from '../decoded-image.js';
import type { ImageDetector, ImageSignals } from './types.js';
import { emptyImageSignals } from './types.js';

/**
 * Runs every detector on one image, one after the other (they share one tfjs backend, which
 * is single-threaded inside a worker), and merges their signals. A detector that throws
 * becomes a `failures` entry; it never stops the others and never reads as "nothing found".
 */
export async function runDetectors(detectors: readonly ImageDetector[], img: DecodedImage): Promise<ImageSignals> {
  const signals = emptyImageSignals();
  for (const detector of detectors) {
    try {
      const partial = await detector.analyse(img);
      if (partial.nudity !== undefined) signals.nudity = partial.nudity;
      if (partial.faces !== undefined) signals.faces = partial.faces;
    } catch (err) {
      signals.failures.push({ detector: detector.name, code: 'error', message: errorMessage(err) });
    }
  }
  return signals;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
