/**
 * What a bank is for; the policy decides per purpose (block and escalate known abuse, block
 * intimate imagery and takedowns, review the rest). Fixed so a typo cannot create a bank no rule acts on.
 * Kept apart from banks.ts, which needs the store, so the CLI can show it in --help cheaply.
 */
export const BANK_PURPOSES = ['csam', 'ncii', 'takedown', 'review', 'test'] as const;
export type BankPurpose = (typeof BANK_PURPOSES)[number];
