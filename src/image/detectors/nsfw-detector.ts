/**
 * Nudity classifier: nsfwjs's MobileNetV2 (224x224, 5 classes), the smallest of the three
 * models the package bundles, read from the package's own files.
 *
 * nsfwjs ships its weights as JS modules holding base64 strings. Its own loader decodes them
 * byte by byte through a Buffer polyfill (about 3 s); we read the files, decode with Node's
 * Buffer and hand tfjs an IO handler instead, so loading takes a fraction of that and nothing
 * can reach for the network.
 */
import fs from 'node:fs';
import path from 'node:path';

import type * as Tf from '@tensorflow/tfjs';

import type { DecodedImage } from '../decoded-image.js';
import { resizeRgb } from './resize.js';
import { initTfWasm, requireFromHere, toArrayBuffer } from './tf-runtime.js';
import type { ImageDetector, NuditySignals } from './types.js';

/** Bundled models we support; InceptionV3 (29 MB, 299 px) is too slow for the latency budget. */
export type NsfwModelName = 'MobileNetV2' | 'MobileNetV2Mid';

const MODELS: Record<NsfwModelName, { dir: string; shards: number; graph: boolean }> = {
  MobileNetV2: { dir: 'mobilenet_v2', shards: 1, graph: false },
  MobileNetV2Mid: { dir: 'mobilenet_v2_mid', shards: 2, graph: true },
};

const INPUT_SIZE = 224;
/** nsfwjs output order (its NSFW_CLASSES). */
const CLASSES = ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] as const;

interface NsfwModel {
  predict(input: Tf.Tensor): Tf.Tensor | Tf.Tensor[] | Tf.NamedTensorMap;
  dispose(): void;
}

export interface NsfwDetectorOptions {
  model?: NsfwModelName;
}

export class NsfwDetector implements ImageDetector {
  readonly name = 'nudity';
  readonly version: string;

  private constructor(
    private readonly tf: typeof Tf,
    private readonly model: NsfwModel,
    modelName: NsfwModelName,
    /** Milliseconds spent loading (backend init excluded). */
    readonly loadMs: number,
  ) {
    this.version = `nsfwjs-4.2.1/${modelName}`;
  }

  static async create(options: NsfwDetectorOptions = {}): Promise<NsfwDetector> {
    const { tf } = await initTfWasm();
    const started = performance.now();
    const name = options.model ?? 'MobileNetV2';
    const spec = MODELS[name];
    const handler = bundledModelHandler(spec.dir, spec.shards);
    const model: NsfwModel = spec.graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    // First inference compiles kernels; do it now so the first request is not the slow one.
    tf.tidy(() => model.predict(tf.zeros([1, INPUT_SIZE, INPUT_SIZE, 3])));
    return new NsfwDetector(tf, model, name, performance.now() - started);
  }

  async analyse(img: DecodedImage): Promise<{ nudity: NuditySignals }> {
    // nsfwjs stretches to 224x224 ignoring aspect; we do the same, but with an area average in
    // JS (see resize.ts) and feed the model directly. Orientation does not matter to it.
    const small = resizeRgb({ rgb: img.rgb, width: img.width, height: img.height }, INPUT_SIZE, INPUT_SIZE);
    const tf = this.tf;
    const logits = tf.tidy(() => {
      const x = tf.tensor4d(small.rgb, [1, INPUT_SIZE, INPUT_SIZE, 3], 'int32').toFloat().div(255);
      const out = this.model.predict(x);
      if (out instanceof tf.Tensor) return out;
      const first = Array.isArray(out) ? out[0] : Object.values(out)[0];
      if (!first) throw new Error('nsfwjs model returned no output');
      return first;
    });
    try {
      const p = await logits.data();
      if (p.length !== CLASSES.length) throw new Error(`nsfwjs returned ${p.length} scores, expected ${CLASSES.length}`);
      return { nudity: { drawing: p[0], hentai: p[1], neutral: p[2], porn: p[3], sexy: p[4] } };
    } finally {
      logits.dispose();
    }
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

/** The nsfwjs package's `dist/` directory (its exports map hides package.json). */
function nsfwDistDir(): string {
  return path.join(path.dirname(requireFromHere.resolve('nsfwjs')), '..');
}

/**
 * IO handler for a model bundled in nsfwjs as JS: `model.min.js` (topology + manifest, a
 * small CommonJS module we require) and `group1-shardNofM.min.js` files, each one base64
 * string literal (`var n="...";export{n as default}`) that we cut out of the ESM copy's text rather than evaluate (evaluating a
 * 3.5 MB string literal takes about a second).
 */
function bundledModelHandler(dir: string, shards: number): Tf.io.IOHandler {
  const dist = nsfwDistDir();
  return {
    async load(): Promise<Tf.io.ModelArtifacts> {
      const json = requireFromHere(path.join(dist, 'cjs', 'models', dir, 'model.min.js')) as {
        modelTopology: object;
        weightsManifest: Array<{ paths: string[]; weights: Tf.io.WeightsManifestEntry[] }>;
        format?: string;
      };
      const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
      const parts: Buffer[] = [];
      for (const group of json.weightsManifest) {
        for (const shard of group.paths) parts.push(await readBase64Shard(path.join(dist, 'esm', 'models', dir, `${shard}.min.js`)));
      }
      if (parts.length !== shards) throw new Error(`nsfwjs ${dir}: expected ${shards} weight shards, manifest lists ${parts.length}`);
      return { modelTopology: json.modelTopology, format: json.format, weightSpecs, weightData: toArrayBuffer(Buffer.concat(parts)) };
    },
  };
}

async function readBase64Shard(file: string): Promise<Buffer> {
  const text = await fs.promises.readFile(file, 'utf8');
  const start = text.indexOf('"');
  const end = text.indexOf('"', start + 1);
  if (start < 0 || end < 0) throw new Error(`unexpected nsfwjs shard format: ${file}`);
  return Buffer.from(text.slice(start + 1, end), 'base64');
}
