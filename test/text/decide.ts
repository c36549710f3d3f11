import { decideText } from '../../src/domain/policy/decide-text.js';
import type { Subject } from '../../src/domain/policy/derive-facts.js';
import type { TextSignals } from '../../src/domain/signals.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';

export type { Subject };

export interface Decision {
  decision: 'allow' | 'block' | 'review';
  categories: string[];
}

/** The shipped policy (`policies/default.yaml`), so text tests judge what the service decides. */
const SHIPPED_POLICY = loadPolicyFile();

/** The shipped policy's verdict on a text-only request with these signals. */
export function decideFromSignals(signals: TextSignals, subject: Subject): Decision {
  const verdict = decideText(SHIPPED_POLICY, signals, subject);
  return { decision: verdict.decision, categories: verdict.categories };
}
