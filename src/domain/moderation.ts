import type { DecisionRecord } from './decision-record.js';
import { type Sexualisation, sexualisationRank } from './signals.js';

/**
 * OpenAI's moderation categories (omni-moderation), in its order. A drop-in client reads all of
 * them, so every one is present in every result; Perisai judges only the sexual ones and sexual
 * violence, and reports the rest as `false` with score 0 (docs/guard.md says so).
 */
export const OPENAI_MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;
export type OpenAiModerationCategory = (typeof OPENAI_MODERATION_CATEGORIES)[number];

export type ModerationInputType = 'text' | 'image';

/** The categories Perisai judges, and which input types it judges each on. */
const JUDGED: Partial<Record<OpenAiModerationCategory, readonly ModerationInputType[]>> = {
  sexual: ['text', 'image'],
  'sexual/minors': ['text', 'image'],
  // Sexual violence is the only violence the text detector knows; images are not judged for it.
  violence: ['text'],
};

/**
 * A score for the sexualisation level the combined text signals reached, where the learned
 * model gave none: the level is a finding, not a probability, so it maps to fixed points
 * either side of the 0.5 at which a category is flagged.
 */
const LEVEL_SCORE: Record<Sexualisation, number> = { none: 0, revealing: 0.3, suggestive: 0.8, explicit: 1 };
/** Nudity at or above this (porn + hentai) is sexual content, the policy's minor-nudity line. */
export const IMAGE_SEXUAL_AT = 0.5;

export interface OpenAiModerationResult {
  flagged: boolean;
  categories: Record<OpenAiModerationCategory, boolean>;
  category_scores: Record<OpenAiModerationCategory, number>;
  category_applied_input_types: Record<OpenAiModerationCategory, ModerationInputType[]>;
}

/**
 * One recorded screening decision in OpenAI's moderation shape. `flagged` is true when any
 * category is, and also whenever Perisai's decision is not `allow` (a protected photo, a bank
 * match, a detector failure): a client that only reads `flagged` must never let through what
 * Perisai refused. Pure: the decision record holds every signal it needs.
 */
export function toOpenAiModeration(
  record: Pick<DecisionRecord, 'decision' | 'categories' | 'signals'>,
  inputs: ReadonlySet<ModerationInputType>,
): OpenAiModerationResult {
  const { facts, text } = record.signals;
  const model = text?.model?.scores;
  const levelSexual = sexualisationRank(facts.sexualisation) >= sexualisationRank('suggestive');
  const imageSexual = facts.image_nudity >= IMAGE_SEXUAL_AT;
  const sexualScore = Math.max(LEVEL_SCORE[facts.sexualisation], model?.suggestive ?? 0, facts.image_nudity);
  const csamBank = facts.bank_purposes.includes('csam');
  // For a minor, revealing is already sexualising (the policy refuses a swimsuit edit of a child).
  const minorSexual = csamBank || record.categories.includes('minor_sexual') || (facts.minor && (facts.sexualisation !== 'none' || imageSexual));
  const minorScore = minorSexual
    ? Math.max(sexualScore, 0.5)
    : Math.min(Math.max(LEVEL_SCORE[facts.sexualisation], model?.revealing ?? 0, facts.image_nudity), model?.minor ?? 0);

  const categories = blank(false);
  const scores = blank(0);
  categories.sexual = levelSexual || imageSexual || minorSexual;
  scores.sexual = round(categories.sexual ? Math.max(sexualScore, 0.5) : sexualScore);
  categories['sexual/minors'] = minorSexual;
  scores['sexual/minors'] = round(minorScore);
  categories.violence = facts.sexual_violence;
  scores.violence = round(facts.sexual_violence ? Math.max(model?.sexual_violence ?? 1, 0.5) : (model?.sexual_violence ?? 0));

  const applied = Object.fromEntries(
    OPENAI_MODERATION_CATEGORIES.map((category) => [category, (JUDGED[category] ?? []).filter((type) => inputs.has(type))]),
  ) as Record<OpenAiModerationCategory, ModerationInputType[]>;
  // A category only holds for an input type that was present: an image score never flags a text-only input.
  for (const category of OPENAI_MODERATION_CATEGORIES) {
    if (applied[category].length === 0) {
      categories[category] = false;
      scores[category] = 0;
    }
  }
  const flagged = record.decision !== 'allow' || OPENAI_MODERATION_CATEGORIES.some((category) => categories[category]);
  return { flagged, categories, category_scores: scores, category_applied_input_types: applied };
}

function blank<T>(value: T): Record<OpenAiModerationCategory, T> {
  return Object.fromEntries(OPENAI_MODERATION_CATEGORIES.map((category) => [category, value])) as Record<OpenAiModerationCategory, T>;
}

function round(score: number): number {
  return Math.round(Math.min(1, Math.max(0, score)) * 1e6) / 1e6;
}
