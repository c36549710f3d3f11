import { createHash } from 'node:crypto';

import { canonicalJson } from './canonical-json.js';
import type { DecisionRecord } from './decision-record.js';

/**
 * What a decision looks like once its retention has passed: the prompt and every quoted piece
 * of it (evidence text) are gone; what was decided, why (rule names, offsets, scores), about
 * whom (account ids) and when stays. The form is a pure function of the record, so its digest
 * can be computed when the decision is made and put in the audit chain beside the full one
 * (`redacted_sha256`): a verifier later accepts a row that matches either digest, and only the
 * one redaction Perisai performs can produce the second.
 */
export function redactDecisionRecord(record: DecisionRecord): DecisionRecord {
  const text = record.signals.text;
  return {
    ...record,
    prompt: null,
    reasons: record.reasons.map((reason) => ({
      ...reason,
      evidence: reason.evidence.map((item) => (item.text === undefined ? item : { ...item, text: '' })),
    })),
    signals: {
      ...record.signals,
      text: text
        ? {
            ...text,
            evidence: text.evidence.map((item) => ({ ...item, text: '' })),
            ...(text.model ? { model: { ...text.model, evidence: text.model.evidence.map((item) => ({ ...item, text: '' })) } } : {}),
          }
        : null,
    },
  };
}

/** The digest of the redacted form; see `redactDecisionRecord`. */
export function digestRedactedDecisionRecord(record: DecisionRecord): string {
  return createHash('sha256')
    .update(canonicalJson(redactDecisionRecord(record)))
    .digest('hex');
}
