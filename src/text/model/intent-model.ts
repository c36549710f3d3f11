import { createHash } from 'node:crypto';

import { PerisaiError } from '../../domain/errors.js';
import type { TextModelHead, TextModelScores } from '../../domain/signals.js';
import { TEXT_MODEL_HEADS } from '../../domain/signals.js';
import type { ModelToken } from './features.js';
import { extractFeatures, MAX_MODEL_TOKENS } from './features.js';

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

  /** Probabilities per head for the tokens of a normalised prompt. */
  score(tokens: readonly ModelToken[]): ModelScores {
    return this.analyse(tokens, () => []).scores;
  }

  /**
   * Scores the tokens, then explains the heads `explain` picks from the scores: the words that
   * pushed each up the most. The weight of every feature is shared out over the tokens it was read
   * from, and adjacent strong tokens merge into one span (at most `limit` spans per head,
   * strongest first). The table is read once per feature: the weights gathered while scoring are
   * reused for the explanation.
   */
  analyse(
    tokens: readonly ModelToken[],
    explain: (scores: ModelScores) => readonly ModelHead[],
    limit = 3,
  ): { scores: ModelScores; contributions: Map<ModelHead, Contribution[]> } {
    const { weights, headCount } = this;
    const features = extractFeatures(tokens, this.header);
    const gathered = gatherBuffer(features.length * headCount);
    const sums = new Int32Array(headCount);
    for (let f = 0; f < features.length; f++) {
      const base = features.bucket[f] * headCount;
      const at = f * headCount;
      for (let h = 0; h < headCount; h++) {
        const w = weights[base + h];
        gathered[at + h] = w;
        sums[h] += w;
      }
    }
    const scores = {} as ModelScores;
    for (let h = 0; h < headCount; h++) scores[this.header.heads[h]] = sigmoid(this.header.biases[h] + this.header.scales[h] * sums[h]);

    const contributions = new Map<ModelHead, Contribution[]>();
    const heads = explain(scores);
    const n = Math.min(tokens.length, MAX_MODEL_TOKENS);
    if (heads.length === 0 || n === 0) return { scores, contributions };
    const index = heads.map((head) => this.header.heads.indexOf(head));
    const perToken = index.map(() => new Float64Array(n));
    for (let f = 0; f < features.length; f++) {
      const first = features.firstToken[f];
      const last = features.lastToken[f];
      const covered = last - first + 1;
      for (let k = 0; k < index.length; k++) {
        const q = gathered[f * headCount + index[k]];
        if (q === 0) continue;
        const share = q / covered;
        const acc = perToken[k];
        for (let i = first; i <= last; i++) acc[i] += share;
      }
    }
    heads.forEach((head, k) => contributions.set(head, topSpans(tokens, perToken[k], this.header.scales[index[k]], limit)));
    return { scores, contributions };
  }
}

/** Scratch space for the gathered weights: one prompt at a time, reused to spare the collector. */
let gatherScratch = new Int8Array(4096 * 8);

function gatherBuffer(size: number): Int8Array {
  if (gatherScratch.length < size) gatherScratch = new Int8Array(size * 2);
  return gatherScratch;
}

/** The `limit` strongest positive tokens, adjacent ones merged, strongest span first. */
function topSpans(tokens: readonly ModelToken[], perToken: Float64Array, scale: number, limit: number): Contribution[] {
  // A linear selection of the few strongest tokens: prompts are short and `limit` is tiny.
  const chosen: number[] = [];
  for (let i = 0; i < perToken.length; i++) {
    if (perToken[i] <= 0) continue;
    if (chosen.length < limit) chosen.push(i);
    else {
      let weakest = 0;
      for (let k = 1; k < chosen.length; k++) if (perToken[chosen[k]] < perToken[chosen[weakest]]) weakest = k;
      if (perToken[i] > perToken[chosen[weakest]]) chosen[weakest] = i;
    }
  }
  chosen.sort((a, b) => a - b);
  const spans: Contribution[] = [];
  chosen.forEach((i, k) => {
    const last = spans[spans.length - 1];
    if (last !== undefined && chosen[k - 1] === i - 1) {
      last.end = tokens[i].end;
      last.weight += perToken[i] * scale;
    } else {
      spans.push({ start: tokens[i].start, end: tokens[i].end, weight: perToken[i] * scale });
    }
  });
  return spans.sort((a, b) => b.weight - a.weight || a.start - b.start);
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
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC)
    throw invalid(source, 'it is not a Perisai text model');
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
  if (scales?.length !== heads.length || biases?.length !== heads.length || [...scales, ...biases].some((x) => !Number.isFinite(x)))
    throw invalid(source, 'scales or biases do not match the heads');
  if (bytes.length - bodyAt !== buckets * heads.length)
    throw invalid(source, `expected ${buckets * heads.length} weight bytes, found ${bytes.length - bodyAt}`);
  const weights = new Int8Array(bytes.buffer.slice(bytes.byteOffset + bodyAt, bytes.byteOffset + bytes.length));
  return new IntentModel(header, weights, createHash('sha256').update(bytes).digest('hex'));
}
