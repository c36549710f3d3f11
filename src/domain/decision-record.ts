import { createHash } from 'node:crypto';

import { canonicalJson } from './canonical-json.js';
import type { Action, Category, Outcome, Reason } from './decision.js';
import type { Subject } from './policy/derive-facts.js';
import type { ScreeningFacts } from './policy/facts.js';
import type { TextSignals } from './signals.js';

/** What Perisai observed about one image; hashes, never pixels. */
export interface ImageSummary {
  index: number;
  sha256: string;
  bytes: number;
  format?: string;
  width?: number;
  height?: number;
  pdq?: { hash: string; quality: number };
  /** Apparent ages; null where the model could not estimate one. */
  faces?: { count: number; ages: Array<number | null> } | null;
  nudity?: Record<string, number> | null;
  owner?: string;
}

export interface RecordedSignals {
  text: TextSignals | null;
  images: ImageSummary[];
  facts: ScreeningFacts;
  detectors: string[];
  failures: Array<{ detector: string; message: string }>;
}

/** A decision as stored and as `GET /v1/decisions/:id` returns it. */
export interface DecisionRecord {
  id: string;
  createdAt: string;
  stage: 'request' | 'output';
  decision: Outcome;
  categories: Category[];
  reasons: Reason[];
  actions: Action[];
  signals: RecordedSignals;
  policyVersion: string;
  prompt: string | null;
  subject: Subject;
  requester: { id: string; country?: string } | null;
  jurisdiction: string | null;
  requestId: string | null;
  durationMs: number;
}

/**
 * The SHA-256 of a decision's canonical JSON. The decision's audit entry carries it
 * (`record_sha256`), binding the stored row to the chain: `perisai audit verify` recomputes it
 * from the row, so editing a decision from "block" to "allow" is a break.
 */
export function digestDecisionRecord(record: DecisionRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}
