import { PerisaiError } from '../domain/errors.js';
import { pdqHash } from '../pdq/index.js';
import type { DetectorFailure, ImageAnalyser, ImageAnalysis } from '../services/ports.js';
import { decodeImage, type DecodeLimits } from './decode.js';
import type { ImageSignals } from './detectors/types.js';
import { sha256Hex } from './digests.js';
import { isImageError } from './errors.js';
import { createDetectorPool, type DetectorPool, type DetectorPoolOptions } from './pool/detector-pool.js';
import { PoolBusyError, PoolClosedError } from './pool/errors.js';

export interface ImageAnalyserOptions {
  /** Run the nudity and face models; without them every image is reported as not fully screened. */
  models: boolean;
  pool?: DetectorPoolOptions;
  limits?: Partial<DecodeLimits>;
}

export interface ClosableImageAnalyser extends ImageAnalyser {
  /** Starts the model workers now rather than on the first image (a server calls this at start). */
  warmUp(): void;
  close(): Promise<void>;
}

/**
 * The image side of screening: safe decode, SHA-256 and PDQ here (PDQ is bounded: it samples at
 * most 512×512), then the models in the worker pool, started on first use so commands that never
 * see an image never load them.
 */
export function createImageAnalyser(options: ImageAnalyserOptions): ClosableImageAnalyser {
  let pool: DetectorPool | undefined;
  const detectors = ['decode:sharp', 'pdq@reference-float32', ...(options.models ? ['nsfwjs', 'human-faces'] : [])];

  const startPool = (): DetectorPool => (pool ??= createDetectorPool(options.pool));

  return {
    detectors,
    warmUp() {
      if (options.models) startPool();
    },
    modelStatus() {
      if (!options.models) return 'off';
      if (!pool) return 'idle';
      return pool.stats().ready > 0 ? 'ready' : 'loading';
    },
    async analyse(bytes: Uint8Array): Promise<ImageAnalysis> {
      const sha256 = sha256Hex(bytes);
      const decoded = await decodeImage(bytes, options.limits).catch((error: unknown) => {
        if (isImageError(error)) throw new PerisaiError(error.code, error.message);
        throw error;
      });
      const pdq = pdqHash(decoded);
      const failures: DetectorFailure[] = [];
      let signals: ImageSignals = { nudity: null, faces: null, failures: [] };
      if (options.models) {
        signals = await startPool()
          .analyse(decoded, { transfer: true })
          .catch((error: unknown) => {
            if (error instanceof PoolBusyError) {
              throw new PerisaiError('detector_busy', `The image detectors are busy (${error.queued} images waiting): retry in ${error.retryAfterSeconds} s.`, {
                retryAfterSeconds: error.retryAfterSeconds,
              });
            }
            if (error instanceof PoolClosedError)
              return { nudity: null, faces: null, failures: [{ detector: 'pool', code: 'unavailable' as const, message: error.message }] };
            throw error;
          });
      } else {
        failures.push({ detector: 'image-models', message: 'the nudity and face models are turned off on this deployment (PERISAI_IMAGE_DETECTORS=0)' });
      }
      for (const failure of signals.failures) failures.push({ detector: failure.detector, message: `${failure.code}: ${failure.message}` });

      // NaN (age not estimated) stays NaN for the policy, which treats it as young, and becomes null in the record (JSON has no NaN).
      const ages = signals.faces?.faces.map((face) => (Number.isFinite(face.age) ? Math.round(face.age * 10) / 10 : Number.NaN)) ?? [];
      const faces = signals.faces ? { count: signals.faces.count, ages } : null;
      const nudity = signals.nudity ? signals.nudity.porn + signals.nudity.hentai : null;
      return {
        summary: {
          sha256,
          bytes: bytes.byteLength,
          format: decoded.format,
          width: decoded.width,
          height: decoded.height,
          pdq,
          faces: faces && { count: faces.count, ages: ages.map((age) => (Number.isNaN(age) ? null : age)) },
          nudity: signals.nudity ? { ...signals.nudity } : null,
        },
        observation: { faces, nudity },
        failures,
      };
    },
    async close() {
      await pool?.close();
    },
  };
}
