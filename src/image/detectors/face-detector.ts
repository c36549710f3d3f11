/**
 * Faces and apparent age: @vladmandic/human's BlazeFace detector (256 px input) and its
 * FaceRes description model (age, gender), on the shared tfjs wasm backend.
 *
 * Human's `dist/human.node-wasm.js` is not in its exports map and `require`s tfjs-core,
 * -converter and -backend-wasm, so it shares the engine `tf-runtime.ts` initialised. Its
 * models load from `file://<package>/models/*.json` through the local-file load router; its
 * wasm path points at the local tfjs-backend-wasm `dist/`. Nothing is fetched.
 *
 * Face mesh verifies each box (see `verifyWithMesh`); iris, emotion, body, hands are off.
 * Frame-to-frame caching (human's video mode) is off: every image is independent.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import type * as Tf from '@tensorflow/tfjs';

import type { DecodedImage } from '../decoded-image.js';
import { applyOrientation } from './orientation.js';
import { fitWithin } from './resize.js';
import { initTfWasm, requireFromHere } from './tf-runtime.js';
import type { DetectedFace, FaceSignals, ImageDetector } from './types.js';

/** The part of human's API we use, typed narrowly (its own types are loose). */
interface HumanFace {
  box: [number, number, number, number];
  boxScore: number;
  score: number;
  age?: number;
  gender?: string;
  genderScore?: number;
}
interface HumanResult {
  face: HumanFace[];
  error: string | null;
}
interface HumanInstance {
  init(): Promise<void>;
  load(): Promise<void>;
  detect(input: Tf.Tensor): Promise<HumanResult>;
}
type HumanConstructor = new (config: Record<string, unknown>) => HumanInstance;

export interface FaceDetectorOptions {
  /** Minimum BlazeFace box score for a face to count, 0..1 (default 0.5). */
  minScore?: number;
  /** Largest number of faces reported per image (default 20). */
  maxFaces?: number;
  /** Longest side the image is reduced to before detection (default 1024). */
  maxSide?: number;
  /**
   * Confirm each box with the face-mesh model and drop boxes it scores under `minScore`
   * (default true). BlazeFace alone calls some abstract patterns faces (a 0.62 "face" aged 8.8
   * on a sine plasma), and a false face is not harmless here: it makes the image "a real
   * person", and a young apparent age makes it "a possible minor".
   */
  verifyWithMesh?: boolean;
}

export class HumanFaceDetector implements ImageDetector {
  readonly name = 'faces';
  readonly version: string;

  private constructor(
    private readonly tf: typeof Tf,
    private readonly human: HumanInstance,
    private readonly minScore: number,
    private readonly maxSide: number,
    mesh: boolean,
    readonly loadMs: number,
  ) {
    this.version = `human-3.3/blazeface+${mesh ? 'facemesh+' : ''}faceres/min${minScore}`;
  }

  static async create(options: FaceDetectorOptions = {}): Promise<HumanFaceDetector> {
    const { tf, wasmDir } = await initTfWasm();
    const started = performance.now();
    const minScore = options.minScore ?? 0.5;
    const humanDist = path.dirname(requireFromHere.resolve('@vladmandic/human'));
    const modelsDir = path.join(humanDist, '..', 'models') + path.sep;
    const { Human } = requireFromHere(path.join(humanDist, 'human.node-wasm.js')) as { Human: HumanConstructor };
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir,
      wasmPlatformFetch: false,
      modelBasePath: pathToFileURL(modelsDir).href,
      cacheModels: false,
      debug: false,
      async: true,
      warmup: 'none',
      // Video-mode caching would reuse one image's faces for the next; every image stands alone.
      cacheSensitivity: 0,
      skipAllowed: false,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: options.maxFaces ?? 20, minConfidence: minScore, skipFrames: 0, skipTime: 0 },
        mesh: { enabled: options.verifyWithMesh ?? true, keepInvalid: false },
        attention: { enabled: false },
        iris: { enabled: false },
        emotion: { enabled: false },
        description: { enabled: true, skipFrames: 0, skipTime: 0 },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    await human.init();
    await human.load();
    const mesh = options.verifyWithMesh ?? true;
    const detector = new HumanFaceDetector(tf, human, minScore, options.maxSide ?? 1024, mesh, 0);
    // Warm-up on a blank frame compiles the kernels before the first real request.
    await detector.detect({ rgb: new Uint8Array(256 * 256 * 3), width: 256, height: 256 }, 1);
    return new HumanFaceDetector(tf, human, minScore, options.maxSide ?? 1024, mesh, performance.now() - started);
  }

  async analyse(img: DecodedImage): Promise<{ faces: FaceSignals }> {
    // Shrink first, then orient: rotating a 12-megapixel buffer in JS costs ~100 ms, the
    // shrunk one a few. Boxes are scaled back to the full, upright image.
    const small = fitWithin({ rgb: img.rgb, width: img.width, height: img.height }, this.maxSide);
    const upright = applyOrientation(small, img.orientation);
    const uprightFullWidth = img.orientation >= 5 && img.orientation <= 8 ? img.height : img.width;
    return { faces: await this.detect(upright, uprightFullWidth / upright.width) };
  }

  /** Detects on an upright frame no larger than `maxSide`; `scale` maps its pixels to the caller's. */
  private async detect(small: { rgb: Uint8Array; width: number; height: number }, scale: number): Promise<FaceSignals> {
    const input = this.tf.tensor4d(small.rgb, [1, small.height, small.width, 3], 'int32');
    let result: HumanResult;
    try {
      result = await this.human.detect(input);
    } finally {
      input.dispose();
    }
    if (result.error) throw new Error(`human: ${result.error}`);
    const faces: DetectedFace[] = result.face
      // With the mesh on, `score` is the mesh's face score; without it, the box score.
      .filter((f) => f.score >= this.minScore)
      .map((f) => {
        const face: DetectedFace = {
          box: [Math.round(f.box[0] * scale), Math.round(f.box[1] * scale), Math.round(f.box[2] * scale), Math.round(f.box[3] * scale)],
          score: round3(f.score),
          // A face without an age estimate gets NaN, which possibleMinor() treats as "possibly a minor".
          age: typeof f.age === 'number' && f.age > 0 ? round3(f.age) : Number.NaN,
        };
        if (f.gender === 'female' || f.gender === 'male') face.gender = f.gender;
        return face;
      });
    return { count: faces.length, faces };
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
