import { createHash } from 'node:crypto';

import { canonicalJson, type JsonValue } from './canonical-json.js';

/** The hash that precedes the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry says; the hash covers exactly these fields plus the previous hash. */
export interface AuditContent {
  seq: number;
  createdAt: string;
  /** e.g. "decision", "reviewer_action", "consent_changed". */
  kind: string;
  /** The id of what the entry is about (a decision id, an account, a bank). */
  subject: string;
  /** Who did it: an API key id, "cli", "system". */
  actor: string;
  payload: JsonValue;
}

export interface AuditEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

export function hashAuditEntry(content: AuditContent, prevHash: string): string {
  const canonical = canonicalJson({
    seq: content.seq,
    createdAt: content.createdAt,
    kind: content.kind,
    subject: content.subject,
    actor: content.actor,
    payload: content.payload,
    prevHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export function sealAuditEntry(content: AuditContent, prevHash: string): AuditEntry {
  return { ...content, prevHash, hash: hashAuditEntry(content, prevHash) };
}

export type AuditBreak =
  | { reason: 'content_changed'; seq: number; message: string }
  | { reason: 'link_broken'; seq: number; message: string }
  | { reason: 'sequence_gap'; seq: number; message: string }
  | { reason: 'head_mismatch'; seq: number; message: string }
  /** The chain is intact but the decision row an entry is bound to was edited or deleted. */
  | { reason: 'record_changed'; seq: number; message: string }
  | { reason: 'record_missing'; seq: number; message: string };

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditVerification = { ok: true; entries: number; headHash: string } | { ok: false; entries: number; firstBreak: AuditBreak };

/**
 * Checks a chain incrementally so a verifier can stream millions of rows in pages.
 * Feed entries in ascending `seq` order, then call `finish` with the stored head (the last
 * seq and hash recorded in the same transaction as each append), which catches a deleted tail.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private broken: AuditBreak | undefined;

  /** Returns false once the chain is known to be broken; further entries are ignored. */
  push(entry: AuditEntry): boolean {
    if (this.broken) return false;
    this.broken = this.check(entry);
    if (this.broken) return false;
    this.prevHash = entry.hash;
    this.expectedSeq = entry.seq + 1;
    this.count += 1;
    return true;
  }

  /**
   * Records a break found outside the chain itself (a bound record that no longer matches) at
   * an entry already pushed; an earlier break, if any, stays the first.
   */
  reject(found: AuditBreak): void {
    if (this.broken && this.broken.seq <= found.seq) return;
    this.broken = found;
    this.count = Math.min(this.count, found.seq - 1);
  }

  finish(head: AuditHead | undefined): AuditVerification {
    if (!this.broken) {
      const last = this.expectedSeq - 1;
      if (head && (head.seq !== last || head.hash !== this.prevHash)) {
        this.broken = {
          reason: 'head_mismatch',
          seq: last + 1,
          message: `The log ends at entry ${last} but its head records entry ${head.seq}: entries after ${last} were deleted or the head was altered.`,
        };
      }
    }
    if (this.broken) return { ok: false, entries: this.count, firstBreak: this.broken };
    return { ok: true, entries: this.count, headHash: this.prevHash };
  }

  private check(entry: AuditEntry): AuditBreak | undefined {
    if (entry.seq !== this.expectedSeq) {
      const message =
        entry.seq > this.expectedSeq
          ? `Entry ${this.expectedSeq} is missing (the next entry found is ${entry.seq}): entries were deleted.`
          : `Entry ${entry.seq} appears after entry ${this.expectedSeq - 1}: entries were reordered or duplicated.`;
      return { reason: 'sequence_gap', seq: this.expectedSeq, message };
    }
    if (entry.prevHash !== this.prevHash) {
      return {
        reason: 'link_broken',
        seq: entry.seq,
        message: `Entry ${entry.seq} does not point at the hash of entry ${entry.seq - 1}: entries were reordered, replaced or deleted.`,
      };
    }
    if (hashAuditEntry(entry, entry.prevHash) !== entry.hash) {
      return {
        reason: 'content_changed',
        seq: entry.seq,
        message: `Entry ${entry.seq} does not match its hash: its content was edited after it was written.`,
      };
    }
    return undefined;
  }
}
