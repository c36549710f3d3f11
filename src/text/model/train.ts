import type { ModelToken } from './features.js';
import { extractFeatures } from './features.js';
import type { IntentModelHeader, ModelHead, ModelProvenance } from './intent-model.js';
import { decodeIntentModel, encodeIntentModel, type IntentModel, MODEL_HEADS, sigmoid } from './intent-model.js';
import { mulberry32, shuffleInPlace } from './random.js';

/**
 * Trains the intent model: one logistic regression per head over the shared hashed features,
 * fitted with AdaGrad and a small L2 penalty, then quantised to int8 per head. Every step is
 * seeded and runs in a fixed order, so the same corpus and options give the same bytes.
 */

export interface TrainingExample {
  tokens: readonly ModelToken[];
  /** 0 or 1 per head. */
  labels: Record<ModelHead, 0 | 1>;
}

export interface TrainOptions {
  name: string;
  semver: string;
  buckets: number;
  epochs: number;
  seed: number;
  learningRate: number;
  l2: number;
  provenance: Omit<ModelProvenance, 'seed' | 'epochs'>;
}

/** Few passes at a modest rate: more of either makes the heads overconfident on the validation split. */
export const DEFAULT_TRAIN_OPTIONS = { buckets: 1 << 18, epochs: 3, seed: 20261201, learningRate: 0.05, l2: 1e-6 } as const;

export interface TrainedModel {
  model: IntentModel;
  bytes: Uint8Array;
}

export function trainIntentModel(examples: readonly TrainingExample[], options: TrainOptions): TrainedModel {
  const H = MODEL_HEADS.length;
  const features = examples.map((example) => {
    const extracted = extractFeatures(example.tokens, options);
    return extracted.bucket.slice(0, extracted.length);
  });
  const labels = examples.map((example) => MODEL_HEADS.map((head) => example.labels[head]));

  const weights = new Float64Array(options.buckets * H);
  const squares = new Float64Array(options.buckets * H);
  const biases = new Float64Array(H);
  const biasSquares = new Float64Array(H);
  const order = examples.map((_, i) => i);
  const random = mulberry32(options.seed);
  const gradient = new Float64Array(H);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const feats = features[index];
      const y = labels[index];
      for (let h = 0; h < H; h++) {
        let z = biases[h];
        for (let f = 0; f < feats.length; f++) z += weights[feats[f] * H + h];
        gradient[h] = sigmoid(z) - y[h];
      }
      for (let h = 0; h < H; h++) {
        const g = gradient[h];
        biasSquares[h] += g * g;
        biases[h] -= (options.learningRate * g) / Math.sqrt(biasSquares[h] + 1e-8);
      }
      for (let f = 0; f < feats.length; f++) {
        const base = feats[f] * H;
        for (let h = 0; h < H; h++) {
          const i = base + h;
          const g = gradient[h] + options.l2 * weights[i];
          if (g === 0) continue;
          squares[i] += g * g;
          weights[i] -= (options.learningRate * g) / Math.sqrt(squares[i] + 1e-8);
        }
      }
    }
  }

  const { quantised, scales } = quantise(weights, H);
  const header: IntentModelHeader = {
    name: options.name,
    semver: options.semver,
    buckets: options.buckets,
    heads: [...MODEL_HEADS],
    scales,
    biases: [...biases].map(roundFloat),
    provenance: { ...options.provenance, seed: options.seed, epochs: options.epochs },
  };
  const bytes = encodeIntentModel(header, quantised);
  return { model: decodeIntentModel(bytes, 'the trained model'), bytes };
}

/** Per-head int8 quantisation: the largest weight of each head maps to ±127. */
function quantise(weights: Float64Array, heads: number): { quantised: Int8Array; scales: number[] } {
  const max = new Float64Array(heads);
  for (let i = 0; i < weights.length; i++) max[i % heads] = Math.max(max[i % heads], Math.abs(weights[i]));
  const scales = [...max].map((m) => roundFloat(m > 0 ? m / 127 : 1));
  const quantised = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) quantised[i] = Math.max(-127, Math.min(127, Math.round(weights[i] / scales[i % heads])));
  return { quantised, scales };
}

/** Numbers in the JSON header are rounded so that printing them is exact and stable. */
function roundFloat(x: number): number {
  return Number(x.toPrecision(9));
}
