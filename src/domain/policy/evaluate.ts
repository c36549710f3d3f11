import { type Action, type Category, type FactEvidence, type Outcome, outcomeSeverity, type Reason, type Verdict } from '../decision.js';
import { sexualisationRank } from '../signals.js';
import type { FactName, ScreeningFacts } from './facts.js';
import type { Policy, PolicyCondition } from './schema.js';

export type FactEvidenceMap = Partial<Record<FactName, FactEvidence[]>>;

/**
 * Applies a policy to the facts of one screening. Every rule whose conditions all hold fires;
 * the strictest outcome wins and every fired rule becomes a reason, so a reviewer sees all of them.
 * A detector failure can never end in `allow` whatever the rules say (fail closed).
 */
export function evaluatePolicy(policy: Policy, facts: ScreeningFacts, evidence: FactEvidenceMap = {}): Verdict {
  const reasons: Reason[] = [];
  const actions = new Set<Action>();
  let decision: Outcome = 'allow';

  for (const rule of policy.rules) {
    if (!conditionHolds(rule.when, facts)) continue;
    reasons.push({ rule: rule.id, category: rule.category, message: rule.message, evidence: evidenceFor(rule.when, evidence) });
    for (const action of rule.actions) actions.add(action);
    decision = stricter(decision, rule.decision);
  }

  if (facts.detector_failure) {
    decision = stricter(decision, policy.settings.on_detector_failure);
    reasons.push({
      rule: 'fail-closed',
      category: 'detector_failure',
      message: 'A detector failed or timed out, so this request could not be fully screened and was not allowed through.',
      evidence: evidence.detector_failure ?? [],
    });
  }

  const categories = [...new Set<Category>(reasons.map((reason) => reason.category))];
  return { decision, categories, reasons, actions: [...actions] };
}

function stricter(a: Outcome, b: Outcome): Outcome {
  return outcomeSeverity(b) > outcomeSeverity(a) ? b : a;
}

function conditionHolds(when: PolicyCondition, facts: ScreeningFacts): boolean {
  for (const [name, test] of Object.entries(when)) {
    if (test === undefined) continue;
    if (!testHolds(name as keyof PolicyCondition, test, facts)) return false;
  }
  return true;
}

function testHolds(name: keyof PolicyCondition, test: NonNullable<PolicyCondition[keyof PolicyCondition]>, facts: ScreeningFacts): boolean {
  switch (name) {
    case 'sexualisation': {
      const wanted = test as NonNullable<PolicyCondition['sexualisation']>;
      return typeof wanted === 'string' ? facts.sexualisation === wanted : sexualisationRank(facts.sexualisation) >= sexualisationRank(wanted.at_least);
    }
    case 'bank_match': {
      const wanted = test as NonNullable<PolicyCondition['bank_match']>;
      if (wanted === 'any') return facts.bank_purposes.length > 0;
      return facts.bank_purposes.some((purpose) => wanted.includes(purpose));
    }
    case 'image_nudity':
    case 'faces': {
      const value = facts[name];
      const wanted = test as NonNullable<PolicyCondition['faces']>;
      if (typeof wanted === 'number') return value === wanted;
      return 'gte' in wanted ? value >= wanted.gte : value < wanted.lt;
    }
    default:
      return facts[name] === test;
  }
}

function evidenceFor(when: PolicyCondition, evidence: FactEvidenceMap): FactEvidence[] {
  const names = Object.keys(when).map((name) => (name === 'bank_match' ? 'bank_purposes' : name)) as FactName[];
  return names.flatMap((name) => evidence[name] ?? []);
}
