/** The outcome of screening, as every interface reports it. Names here are a public, stable contract. */

export const OUTCOMES = ['allow', 'review', 'block'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Higher is stricter: when several rules fire, the strictest outcome wins. */
export function outcomeSeverity(outcome: Outcome): number {
  return OUTCOMES.indexOf(outcome);
}

export const CATEGORIES = [
  'sexualize_real_person',
  'minor_sexual',
  'sexual_violence',
  'nudity',
  'consent_withheld',
  'bank_match',
  'account_suspended',
  'detector_failure',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** What the system does besides answering: escalate as suspected child abuse material, strike the account, open a case, bank the hash. */
export const ACTIONS = ['escalate', 'strike', 'open_case', 'bank_output'] as const;
export type Action = (typeof ACTIONS)[number];

/** Why a fact holds: a span of the prompt, a detector score, a bank entry, a consent record. */
export interface FactEvidence {
  source: 'text' | 'subject' | 'image' | 'consent' | 'bank' | 'account' | 'detector';
  /** The fact this supports, e.g. "sexualisation", "minor". */
  fact: string;
  detail: string;
  /** For text evidence: offsets into the original prompt, end exclusive. */
  span?: [number, number];
  text?: string;
}

export interface Reason {
  rule: string;
  category: Category;
  message: string;
  evidence: FactEvidence[];
}

export interface Verdict {
  decision: Outcome;
  categories: Category[];
  reasons: Reason[];
  actions: Action[];
}
