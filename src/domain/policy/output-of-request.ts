import type { Category, Outcome, Verdict } from '../decision.js';

/** The rule id that marks an output whose request had been blocked. */
export const BLOCKED_REQUEST_RULE = 'request-was-blocked';

/**
 * An output screened for a request that Perisai blocked means the product generated the image
 * anyway: whatever the image looks like, it is blocked, flagged with its own reason, and opens a
 * case so trust and safety learns that the integration ignored a decision. Applied after the
 * policy, in code, so no policy file can release such an output.
 */
export function applyRequestOutcome(verdict: Verdict, request: { id: string; decision: Outcome; categories: readonly Category[] }): Verdict {
  if (request.decision !== 'block') return verdict;
  const category: Category = request.categories[0] ?? 'detector_failure';
  return {
    decision: 'block',
    categories: [...new Set<Category>([...verdict.categories, ...request.categories, category])],
    reasons: [
      ...verdict.reasons,
      {
        rule: BLOCKED_REQUEST_RULE,
        category,
        message: `The request that produced this image (${request.id}) was blocked, so the image must not be released; the product generated it despite that decision.`,
        evidence: [
          { source: 'detector', fact: 'request_blocked', detail: `request ${request.id} was blocked (${request.categories.join(', ') || 'no category'})` },
        ],
      },
    ],
    actions: [...new Set([...verdict.actions, 'open_case' as const])],
  };
}
