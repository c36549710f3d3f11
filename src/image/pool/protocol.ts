/** Messages between the pool (main thread) and a detector worker. All structured-cloneable. */
import type { DecodedImage } from '../decoded-image.js';
import type { ImageDetector, ImageSignals } from '../detectors/types.js';

/** What the pool passes to a worker at start (`workerData`). */
export interface WorkerStartData {
  /** URL of the module exporting `createDetectors` (see `DetectorWorkerModule`). */
  workerModule: string;
  /** Passed unchanged to `createDetectors`. */
  workerOptions: unknown;
}

/**
 * A module that can run in a detector worker. The real one is `model-worker.ts`; tests plug
 * in workers built on the FixedScoreDetector, or that crash or hang on demand.
 */
export interface DetectorWorkerModule {
  createDetectors(options: unknown): Promise<ImageDetector[]>;
}

export interface AnalyseRequest {
  type: 'analyse';
  id: number;
  image: DecodedImage;
}

export type WorkerMessage =
  | { type: 'ready'; detectors: Array<{ name: string; version: string }>; loadMs: number }
  | { type: 'init_error'; message: string }
  | { type: 'result'; id: number; signals: ImageSignals; ms: number };
