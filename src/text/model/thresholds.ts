import type { TextModelHead, TextModelScores } from '../../domain/signals.js';
import { TEXT_MODEL_HEADS } from '../../domain/signals.js';

/**
 * Thresholds for the model's heads, chosen on the validation split: for each head, the lowest
 * threshold (on a 0.01 grid, never under `floor`) at which at most `maxFalsePositiveRate` of the
 * validation rows that do NOT carry that head's label score at or above it; none if no threshold
 * up to 0.99 meets the budget. Low thresholds buy
 * recall; the false-positive budget is what keeps benign requests allowed.
 */
export interface ThresholdChoice {
  /** Null when no threshold on the grid keeps within the budget: the head is then not used. */
  threshold: number | null;
  /** Among validation rows with the label, how many reach the threshold. */
  recall: number;
  falsePositiveRate: number;
  positives: number;
  negatives: number;
}

export function chooseThresholds(
  scored: ReadonlyArray<{ scores: TextModelScores; labels: Record<TextModelHead, 0 | 1> }>,
  options: { maxFalsePositiveRate: number; floor: number },
): Record<TextModelHead, ThresholdChoice> {
  const out = {} as Record<TextModelHead, ThresholdChoice>;
  for (const head of TEXT_MODEL_HEADS) {
    const pos = scored.filter((s) => s.labels[head] === 1).map((s) => s.scores[head]);
    const neg = scored.filter((s) => s.labels[head] === 0).map((s) => s.scores[head]);
    const at = (t: number): ThresholdChoice => ({
      threshold: t,
      recall: pos.length === 0 ? 0 : pos.filter((x) => x >= t).length / pos.length,
      falsePositiveRate: neg.length === 0 ? 0 : neg.filter((x) => x >= t).length / neg.length,
      positives: pos.length,
      negatives: neg.length,
    });
    let choice: ThresholdChoice = { ...at(1), threshold: null, recall: 0, falsePositiveRate: 0 };
    for (let step = Math.round(options.floor * 100); step <= 99; step++) {
      const candidate = at(step / 100);
      if (candidate.falsePositiveRate <= options.maxFalsePositiveRate) {
        choice = candidate;
        break;
      }
    }
    out[head] = choice;
  }
  return out;
}
