import { existsSync } from 'node:fs';

/**
 * `../shared/` sits beside the repository on developer machines and in CI. Material with its own
 * licence (the external evaluation sets, the ThreatExchange photos) is read from there, never
 * copied in; tests that need it are skipped, visibly, where it is absent.
 */
export const SHARED_EVAL = new URL('../../../shared/eval/', import.meta.url);

/** Our own labelled edit prompts, copied into the fixtures so the detector tests always run. */
export const DEV_PROMPTS = new URL('../fixtures/eval/edit-prompts.dev.tsv', import.meta.url);

export function sharedSkip(relative: string): string | false {
  return existsSync(new URL(relative, SHARED_EVAL)) ? false : `../shared/eval/${relative} is not beside the repository`;
}
