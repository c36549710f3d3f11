/**
 * The production detector worker module: nudity (nsfwjs) and faces + apparent age (human),
 * both on the worker's one tfjs wasm backend. Loaded by `worker-host.ts` inside each worker.
 */
import type { FaceDetectorOptions } from '../detectors/face-detector.js';
import { HumanFaceDetector } from '../detectors/face-detector.js';
import type { NsfwDetectorOptions } from '../detectors/nsfw-detector.js';
import { NsfwDetector } from '../detectors/nsfw-detector.js';
import type { ImageDetector } from '../detectors/types.js';

export interface ModelWorkerOptions {
  nudity?: NsfwDetectorOptions | false;
  faces?: FaceDetectorOptions | false;
}

export async function createDetectors(options: unknown): Promise<ImageDetector[]> {
  const opts = (options ?? {}) as ModelWorkerOptions;
  const detectors: ImageDetector[] = [];
  if (opts.nudity !== false) detectors.push(await NsfwDetector.create(opts.nudity || {}));
  if (opts.faces !== false) detectors.push(await HumanFaceDetector.create(opts.faces || {}));
  return detectors;
}
