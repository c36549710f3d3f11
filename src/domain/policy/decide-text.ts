import type { Verdict } from '../decision.js';
import type { TextSignals } from '../signals.js';
import type { Subject } from './derive-facts.js';
import { deriveFacts } from './derive-facts.js';
import { evaluatePolicy } from './evaluate.js';
import type { Policy } from './schema.js';

/**
 * The policy's verdict on a text-only request: what the screening service decides for a prompt
 * with no reference image, without a store. Used to measure the text detector by the shipped
 * policy itself rather than a copy of its rules.
 */
export function decideText(policy: Policy, text: TextSignals, subject: Subject): Verdict {
  const { facts, evidence } = deriveFacts(policy, {
    stage: 'request',
    subject,
    text,
    imageCount: 0,
    images: [],
    consentWithheld: [],
    bankMatches: [],
    accountSuspended: [],
    failures: [],
  });
  return evaluatePolicy(policy, facts, evidence);
}
