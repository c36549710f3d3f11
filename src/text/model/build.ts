import type { TextModelHead, TextModelScores } from '../../domain/signals.js';
import { normalise } from '../normalise.js';
import { tokenise } from '../tokenise.js';
import { disguise } from './augment.js';
import type { CorpusRow } from './corpus.js';
import { headLabels } from './corpus.js';
import type { ModelToken } from './features.js';
import { modelTokens } from './features.js';
import type { IntentModel } from './intent-model.js';
import { mulberry32 } from './random.js';
import type { ThresholdChoice } from './thresholds.js';
import { chooseThresholds } from './thresholds.js';
import type { TrainingExample } from './train.js';
import { DEFAULT_TRAIN_OPTIONS, trainIntentModel } from './train.js';

/**
 * The whole training recipe, from corpus rows to a model and its validated thresholds. Pure
 * apart from the clock-free, seeded randomness: `npm run train:text` is a thin shell around it.
 */

export const MODEL_NAME = 'perisai-intent';
export const MODEL_SEMVER = '1.0.0';
/** Disguised copies of each training row. */
export const AUGMENTED_COPIES = 2;
/** The lowest threshold any head may have; the false-positive budget is chosen by the train command. */
export const THRESHOLD_FLOOR = 0.5;

/** The tokens the model reads for a raw prompt: exactly what the detector computes at run time. */
export function readTokens(text: string): ModelToken[] {
  return modelTokens(tokenise(normalise(text).text));
}

/** Duplicates are judged on the normalised text with runs of spaces folded. */
export function corpusKey(text: string): string {
  return normalise(text).text.replace(/\s+/g, ' ').trim();
}

/** A fixed split from the text alone (FNV-1a of its key): 15% validation. */
export function splitOf(text: string): 'train' | 'validation' {
  let h = 0x811c9dc5;
  const key = corpusKey(text);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 100 < 15 ? 'validation' : 'train';
}

export interface BuildResult {
  model: IntentModel;
  bytes: Uint8Array;
  /** The validation rows with the model's scores, for choosing thresholds and the combination. */
  validation: Array<{ row: CorpusRow; scores: TextModelScores }>;
  trainExamples: number;
}

/** Per-head thresholds for a false-positive budget, on the scored validation split. */
export function thresholdsFor(validation: BuildResult['validation'], maxFalsePositiveRate: number): Record<TextModelHead, ThresholdChoice> {
  return chooseThresholds(
    validation.map((v) => ({ scores: v.scores, labels: headLabels(v.row) })),
    { maxFalsePositiveRate, floor: THRESHOLD_FLOOR },
  );
}

export function buildIntentModel(rows: readonly CorpusRow[], corpusSha256: string, seed: number = DEFAULT_TRAIN_OPTIONS.seed): BuildResult {
  const train = rows.filter((r) => r.split === 'train');
  const validation = rows.filter((r) => r.split === 'validation');
  const random = mulberry32(seed ^ 0x5eed);
  const examples: TrainingExample[] = [];
  for (const row of train) {
    const labels = headLabels(row);
    examples.push({ tokens: readTokens(row.text), labels });
    for (let k = 0; k < AUGMENTED_COPIES; k++) examples.push({ tokens: readTokens(disguise(row.text, random).text), labels });
  }
  const { model, bytes } = trainIntentModel(examples, {
    ...DEFAULT_TRAIN_OPTIONS,
    seed,
    name: MODEL_NAME,
    semver: MODEL_SEMVER,
    provenance: { corpus_sha256: corpusSha256, train_rows: train.length, validation_rows: validation.length },
  });
  return {
    model,
    bytes,
    validation: validation.map((row) => ({ row, scores: model.score(readTokens(row.text)) })),
    trainExamples: examples.length,
  };
}
