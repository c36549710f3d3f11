import { z } from 'zod';

import { ACTIONS, CATEGORIES } from '../decision.js';
import { SEXUALISATION_LEVELS } from '../signals.js';

const level = z.enum(SEXUALISATION_LEVELS);
const numberTest = z.union([z.number(), z.strictObject({ gte: z.number() }), z.strictObject({ lt: z.number() })]);

/** A rule fires when every condition in `when` holds. Unknown facts are errors, not silently ignored. */
export const conditionSchema = z
  .strictObject({
    stage: z.enum(['request', 'output']).optional(),
    sexualisation: z.union([level, z.strictObject({ at_least: level })]).optional(),
    real_person: z.boolean().optional(),
    minor: z.boolean().optional(),
    sexual_violence: z.boolean().optional(),
    adult_content: z.boolean().optional(),
    consent_withheld: z.boolean().optional(),
    /** `any` matches a match in any bank; a list matches a bank with one of those purposes. */
    bank_match: z.union([z.literal('any'), z.array(z.string().min(1)).min(1)]).optional(),
    account_suspended: z.boolean().optional(),
    image_nudity: numberTest.optional(),
    faces: numberTest.optional(),
  })
  .refine((when) => Object.keys(when).length > 0, { message: 'a rule needs at least one condition in `when`' });

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and hyphens'),
  description: z.string().optional(),
  when: conditionSchema,
  decision: z.enum(['block', 'review']),
  category: z.enum(CATEGORIES),
  actions: z.array(z.enum(ACTIONS)).default([]),
  /** Shown to the requester and the reviewer; says what was refused and why. */
  message: z.string().min(1),
});

/** A head's threshold, or null: the head is not used (no threshold met the validation budget). */
const threshold = z.number().min(0).max(1).nullable();

/**
 * How the learned text model's scores become facts. `either`: a fact holds when the lexicon finds
 * it or the model's head reaches its threshold, and the sexualisation level is the higher of the
 * two (unless `lexicon_veto` overrules the lexicon's level). `lexicon` and `model` use one side alone (for measuring each). Thresholds are chosen on the
 * corpus's validation split by `npm run train:text`, never on a test set.
 */
export const textModelSchema = z
  .strictObject({
    combine: z.enum(['either', 'lexicon', 'model']).default('either'),
    /**
     * With `either`: a sexualisation level found by the lexicon alone is dropped when the model's
     * score for that level is under this (the model is confident the words are used innocently,
     * as in "nude lipstick" or "mata telanjang"). Null: the lexicon is never overruled.
     */
    lexicon_veto: z.number().min(0).max(1).nullable().default(null),
    /**
     * The model's sexual-violence head counts only when the request is also sexual to at least
     * this level (by the lexicon or the model): sexual violence is sexual by definition, and in the
     * corpus every such row is at least revealing. `none` lets the head count alone.
     */
    model_violence_at_least: level.default('revealing'),
    thresholds: z
      .strictObject({
        revealing: threshold.default(0.5),
        suggestive: threshold.default(0.5),
        explicit: threshold.default(0.5),
        minor: threshold.default(0.5),
        sexual_violence: threshold.default(0.5),
        target: threshold.default(0.5),
      })
      .prefault({}),
  })
  .prefault({});

/**
 * How allowed outputs are marked (C2PA manifests are always embedded, see docs/provenance.md).
 * `visible_label`: whether an "AI-generated" label is also drawn onto the pixels, by default
 * and per jurisdiction (ISO 3166-1 alpha-2, as requests name it). A jurisdiction not listed
 * takes the default; a request without one takes the default too.
 */
export const provenanceSchema = z
  .strictObject({
    visible_label: z
      .strictObject({
        default: z.boolean().default(false),
        jurisdictions: z
          .record(z.string().regex(/^[A-Z]{2}$/), z.boolean(), {
            error: (issue) => (issue.code === 'invalid_key' ? 'a jurisdiction is an ISO 3166-1 alpha-2 country code in capitals, such as IN' : undefined),
          })
          .default({}),
      })
      .prefault({}),
  })
  .prefault({});

/**
 * One way an account is suspended automatically: `strikes` strikes of `category` (or of any
 * category) counted within `within_days` suspend it for `suspend_days`, or until a person
 * reinstates it when `suspend_days` is null.
 */
export const thresholdSchema = z.strictObject({
  category: z.union([z.enum(CATEGORIES), z.literal('any')]),
  strikes: z.number().int().min(1).max(1000),
  within_days: z.number().int().min(1).max(3650),
  suspend_days: z.number().int().min(1).max(3650).nullable(),
  description: z.string().optional(),
});

/**
 * Consequences as policy data (docs/enforcement.md): how long a strike counts and which counts
 * of strikes suspend an account. A policy without the section strikes but never suspends.
 */
export const enforcementSchema = z
  .strictObject({
    /** A strike stops counting this many days after it landed (it stays in the account's history). */
    strike_expiry_days: z.number().int().min(1).max(3650).default(365),
    thresholds: z.array(thresholdSchema).default([]),
  })
  .prefault({});

export const policySchema = z.strictObject({
  name: z.string().min(1),
  settings: z
    .strictObject({
      /** Explicit content about fictional adults. Never affects real people or minors. */
      adult_content: z.boolean().default(false),
      /** What a failed, missing or timed-out detector yields. `allow` is not an option: the service fails closed. */
      on_detector_failure: z.enum(['review', 'block']).default('review'),
      /** Apparent age under which a face counts as a possible minor ("Challenge 25"). */
      possible_minor_age: z.number().int().min(18).max(40).default(25),
    })
    .prefault({}),
  text_model: textModelSchema,
  provenance: provenanceSchema,
  enforcement: enforcementSchema,
  rules: z.array(ruleSchema).min(1),
});

export type PolicyDocument = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type PolicyCondition = z.infer<typeof conditionSchema>;
export type TextModelSettings = z.infer<typeof textModelSchema>;
export type ProvenanceSettings = z.infer<typeof provenanceSchema>;
export type EnforcementSettings = z.infer<typeof enforcementSchema>;
export type SuspensionThreshold = z.infer<typeof thresholdSchema>;

/** A validated policy with the version derived from its content. */
export interface Policy extends PolicyDocument {
  /** "name@sha256-prefix": changes whenever the meaning changes, not when whitespace or comments do. */
  version: string;
}
