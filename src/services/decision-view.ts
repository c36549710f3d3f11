import { z } from 'zod';

import type { DecisionRecord } from '../domain/decision-record.js';

/** A decision id as GET /v1/decisions/{id} accepts it; the OpenAPI document shows the same schema. */
export const decisionIdParam = z
  .string()
  .regex(/^dec_[0-9a-f]{32}$/, 'must be a decision id such as "dec_" followed by 32 hex digits')
  .describe('The decision id: "dec_" and 32 hex digits, as screening returned it.');

/** The public JSON shape of a decision (snake_case, stable), shared by the API and the CLI. */
export function decisionView(record: DecisionRecord) {
  const text = record.signals.text;
  return {
    id: record.id,
    created_at: record.createdAt,
    stage: record.stage,
    decision: record.decision,
    categories: record.categories,
    reasons: record.reasons.map((reason) => ({ rule: reason.rule, category: reason.category, message: reason.message, evidence: reason.evidence })),
    actions: record.actions,
    policy_version: record.policyVersion,
    signals: {
      language: text?.language ?? null,
      sexualisation: record.signals.facts.sexualisation,
      targets_real_person: text?.targetsRealPerson ?? null,
      target_kinds: text?.targetKinds ?? [],
      minor_cues: text?.minorCues ?? null,
      sexual_violence: record.signals.facts.sexual_violence,
      text_evidence: text?.evidence ?? [],
      // The learned model's second opinion: its version, every head's score and the words behind them.
      text_model:
        text?.model === undefined ? null : { name: text.model.name, version: text.model.version, scores: text.model.scores, evidence: text.model.evidence },
      images: record.signals.images,
      facts: record.signals.facts,
      detectors: record.signals.detectors,
      failures: record.signals.failures,
    },
    subject: record.subject,
    requester: record.requester,
    jurisdiction: record.jurisdiction,
    request_id: record.requestId,
    duration_ms: record.durationMs,
  };
}

export type DecisionView = ReturnType<typeof decisionView>;
