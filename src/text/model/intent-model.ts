import { createHash } from 'node:crypto';
import { PerisaiError } from '../../domain/errors.js';
import { TEXT_MODEL_HEADS } from '../../domain/signals.js';
import type { TextModelHead, TextModelScores } from '../../domain/signals.js';
import { MAX_MODEL_TOKENS, extractFeatures } from './features.js';
import type { Features, ModelToken } from './features.js';

/**
 * The learned intent model: one logistic head per signal over hashed character and word
 * features (see `features.ts`). Weights are int8 with one scale per head, laid out bucket-major
 * so one feature reads its heads from adjacent bytes. Inference is a sum of weights per head:
 * no native code, no allocation per feature, linear in the prompt length.
 */

/** What each head predicts: see `TEXT_MODEL_HEADS`. */
export const MODEL_HEADS = TEXT_MODEL_HEADS;
export type ModelHead = TextModelHead;
export type ModelScores = TextModelScores;

const MAGIC = 'PRSITXT1';

/** What the training run recorded about itself, kept in the file for whoever reads it later. */
export interface ModelProvenance {
  corpus_sha256: string;
  train_rows: number;
  validation_rows: number;
  seed: number;
  epochs: number;
}

export interface IntentModelHeader {
  name: string;
  /** Semantic version of the feature set and format; the file digest is appended at load. */
  semver: string;
  buckets: number;
  heads: ModelHead[];
  scales: number[];
  biases: number[];
  provenance: ModelProvenance;
}

/** The strongest features behind one head's score, as spans of normalised text. */
export interface Contribution {
  start: number;
  end: number;
  weight: number;
}

export class IntentModel {
  /** `name@semver+digest`: changes whenever a single weight does. */
  readonly version: string;
  private readonly headCount: number;

  constructor(
    readonly header: IntentModelHeader,
    private readonly weights: Int8Array,
    digest: string,
  ) {
    this.headCount = header.heads.length;
    this.version = `${header.semver}+${digest.slice(0, 12)}`;
  }

  get name(): string {
    return this.header.name;
  }

  /** Every feature occurrence of the tokens, for `scoreFeatures` and `explain`. */
  features(tokens: readonly ModelToken[]): Features {
    return extractFeatures(tokens, this.header);
  }

  /** Probabilities per head for the tokens of a normalised prompt. */
  score(tokens: readonly ModelToken[]): ModelScores {
    return this.scoreFeatures(this.features(tokens));
  }

  scoreFeatures(features: Features): ModelScores {
    const { weights, headCount } = this;
    const sums = new Int32Array(headCount);
    for (let f = 0; f < features.length; f++) {
      const base = features.bucket[f] * headCount;
      for (let h = 0; h < headCount; h++) sums[h] += weights[base + h];
    }
    const out = {} as ModelScores;
    this.header.heads.forEach((head, h) => {
      out[head] = sigmoid(this.header.biases[h] + this.header.scales[h] * sums[h]);
    });
    return out;
  }

  /**
   * The words that pushed `head` up the most: the weight of every feature is shared out over the
   * tokens its span covers, and adjacent strong tokens merge into one span. At most `limit` spans.
   */
  explain(tokens: readonly ModelToken[], features: Features, head: ModelHead, limit = 3): Contribution[] {
    const h = this.header.heads.indexOf(head);
    const n = Math.min(tokens.length, MAX_MODEL_TOKENS);
    if (h < 0 || n === 0) return [];
    const scale = this.header.scales[h];
    const perToken = new Float64Array(n);
    for (let f = 0; f < features.length; f++) {
      const w = this.weights[features.bucket[f] * this.headCount + h] * scale;
      if (w === 0) continue;
      const first = firstTokenEndingAfter(tokens, n, features.start[f]);
      let last = first;
      while (last + 1 < n && tokens[last + 1].start < features.end[f]) last++;
      const share = w / (last - first + 1);
      for (let i = first; i <= last; i++) perToken[i] += share;
    }
    const order = [...perToken.keys()].filter((i) => perToken[i] > 0).sort((a, b) => perToken[b] - perToken[a] || a - b);
    const chosen = new Set(order.slice(0, limit));
    const spans: Contribution[] = [];
    for (let i = 0; i < n; i++) {
      if (!chosen.has(i)) continue;
      const last = spans[spans.length - 1];
      if (last !== undefined && chosen.has(i - 1)) {
        last.end = tokens[i].end;
        last.weight += perToken[i];
      } else {
        spans.push({ start: tokens[i].start, end: tokens[i].end, weight: perToken[i] });
      }
    }
    return spans.sort((a, b) => b.weight - a.weight || a.start - b.start);
  }
}

/** Tokens are in text order: the first whose end lies after `offset`. */
function firstTokenEndingAfter(tokens: readonly ModelToken[], n: number, offset: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Serialises a model: magic, header length (uint32 LE), JSON header, int8 weights. Deterministic. */
export function encodeIntentModel(header: IntentModelHeader, weights: Int8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(MAGIC.length + 4 + json.length + weights.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(new Uint8Array(weights.buffer, weights.byteOffset, weights.length), MAGIC.length + 4 + json.length);
  return out;
}

function invalid(source: string, why: string): PerisaiError {
  return new PerisaiError('text_model_invalid', `The text model ${source} cannot be used: ${why}. Rebuild it with \`npm run train:text\`.`, { source });
}

/** Reads a model file, checking every size; a damaged file is an error, never a silent zero model. */
export function decodeIntentModel(bytes: Uint8Array, source = 'file'): IntentModel {
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw invalid(source, 'it is not a Perisai text model');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const bodyAt = MAGIC.length + 4 + length;
  if (bodyAt > bytes.length) throw invalid(source, 'its header is truncated');
  let header: IntentModelHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, bodyAt))) as IntentModelHeader;
  } catch {
    throw invalid(source, 'its header is not valid JSON');
  }
  const { buckets, heads, scales, biases } = header;
  if (!Number.isInteger(buckets) || buckets < 2 || (buckets & (buckets - 1)) !== 0) throw invalid(source, 'the bucket count is not a power of two');
  if (!Array.isArray(heads) || heads.some((h) => !(MODEL_HEADS as readonly string[]).includes(h))) throw invalid(source, 'it names an unknown head');
  for (const head of MODEL_HEADS) if (!heads.includes(head)) throw invalid(source, `it has no "${head}" head`);
  if (scales?.length !== heads.length || biases?.length !== heads.length || [...scales, ...biases].some((x) => !Number.isFinite(x))) throw invalid(source, 'scales or biases do not match the heads');
  if (bytes.length - bodyAt !== buckets * heads.length) throw invalid(source, `expected ${buckets * heads.length} weight bytes, found ${bytes.length - bodyAt}`);
  const weights = new Int8Array(bytes.buffer.slice(bytes.byteOffset + bodyAt, bytes.byteOffset + bytes.length));
  return new IntentModel(header, weights, createHash('sha256').update(bytes).digest('hex'));
}
