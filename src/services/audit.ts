import type { KeyObject } from 'node:crypto';

import { type AuditBreak, AuditChainVerifier, type AuditEntry, type AuditVerification, GENESIS_HASH } from '../domain/audit-chain.js';
import { type AuditCheckpoint, checkCheckpointSignature, checkpointSchema, type CheckpointSigner, signCheckpoint } from '../domain/audit-checkpoint.js';
import type { Clock } from '../domain/clock.js';
import { digestDecisionRecord } from '../domain/decision-record.js';
import { PerisaiError } from '../domain/errors.js';
import { auditEntriesOf, auditPages, countAuditEntries, findAuditEntry, readAuditEntries, readAuditHead } from '../store/repositories/audit-log.js';
import { findDecisions } from '../store/repositories/decisions.js';
import type { Db } from '../store/store.js';
import { parseInput } from './parse-input.js';

export type { AuditCheckpoint, AuditEntry };

export type CheckpointCheck = { ok: true; seq: number } | { ok: false; seq: number; message: string };

export type AuditReport = AuditVerification & {
  /** Entries in the log, whether or not they verified. */
  total: number;
  /** Decision rows recomputed and compared with their entries' digests. */
  records: number;
  /** Present when a checkpoint was given. */
  checkpoint?: CheckpointCheck;
};

export interface AuditVerifyOptions {
  checkpoint?: AuditCheckpoint;
  /** The key the checkpoint must be signed with; default: this deployment's audit key. */
  trustedKey?: KeyObject;
}

const PAGE = 2000;
export const MAX_AUDIT_PAGE = 1000;

/**
 * The audit log as the CLI and the API see it: verification of the hash chain and of the
 * decision rows bound to it, signed checkpoints that anchor it outside the database, and
 * export. The signing key is asked for only when needed, so commands that never sign never
 * create one.
 */
export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly signer: () => CheckpointSigner,
  ) {}

  /**
   * Walks the whole chain page by page; for each decision entry recomputes the stored decision's
   * digest; then, given a checkpoint, checks that the log still holds entry `seq` with the
   * checkpoint's hash. The first break in chain order is reported.
   */
  async verify(options: AuditVerifyOptions = {}): Promise<AuditReport> {
    const verifier = new AuditChainVerifier();
    let records = 0;
    let chainBroken = false;
    pages: for await (const page of auditPages(this.db, 0, PAGE)) {
      const verified: AuditEntry[] = [];
      for (const entry of page) {
        if (!verifier.push(entry)) {
          chainBroken = true;
          break;
        }
        verified.push(entry);
      }
      const recordBreak = await this.checkRecords(verified);
      records += verified.filter((entry) => entry.kind === 'decision').length;
      if (recordBreak) {
        verifier.reject(recordBreak);
        break pages;
      }
      if (chainBroken) break;
    }
    const result = verifier.finish(chainBroken ? undefined : await readAuditHead(this.db));
    const total = result.ok ? result.entries : await countAuditEntries(this.db);
    const report: AuditReport = { ...result, total, records };
    if (options.checkpoint) report.checkpoint = await this.checkCheckpoint(options.checkpoint, options.trustedKey ?? this.signer().publicKey);
    return report;
  }

  /** Signs the chain's current length and head hash. */
  async checkpoint(): Promise<AuditCheckpoint> {
    const head = (await readAuditHead(this.db)) ?? { seq: 0, hash: GENESIS_HASH };
    return signCheckpoint(this.signer(), head, this.clock.now().toISOString());
  }

  /** Reads a checkpoint file's content (JSON), with errors that say what is wrong with it. */
  parseCheckpoint(text: string): AuditCheckpoint {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new PerisaiError('invalid_request', 'The checkpoint is not JSON: pass the file `perisai audit checkpoint` wrote.');
    }
    return parseInput(checkpointSchema, value, 'checkpoint');
  }

  /** The public half of the audit key, PEM: give it to auditors so they can check checkpoints. */
  publicKeyPem(): string {
    return this.signer().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** One page of entries after `after` (a seq; 0 for the start). */
  async entries(after: number, limit: number): Promise<{ entries: AuditEntry[]; next: number | null }> {
    const size = Math.min(Math.max(limit, 1), MAX_AUDIT_PAGE);
    const entries = await readAuditEntries(this.db, after, size);
    const last = entries[entries.length - 1];
    return { entries, next: entries.length === size && last ? last.seq : null };
  }

  /** The entries about one subject, oldest first (a case's audit trail), at most `limit`. */
  about(subject: string, limit = MAX_AUDIT_PAGE): Promise<AuditEntry[]> {
    return auditEntriesOf(this.db, subject, Math.min(Math.max(limit, 1), MAX_AUDIT_PAGE));
  }

  /** Every entry, in order, a page at a time: memory stays flat whatever the log's size. */
  async *export(after = 0): AsyncGenerator<AuditEntry> {
    for await (const page of auditPages(this.db, after, PAGE)) yield* page;
  }

  private async checkRecords(entries: AuditEntry[]): Promise<AuditBreak | undefined> {
    const bound = entries.filter((entry) => entry.kind === 'decision');
    if (bound.length === 0) return undefined;
    const rows = await findDecisions(
      this.db,
      bound.map((entry) => entry.subject),
    );
    for (const entry of bound) {
      const expected = recordDigestOf(entry);
      if (expected === undefined) continue;
      const row = rows.get(entry.subject);
      if (!row) {
        return {
          reason: 'record_missing',
          seq: entry.seq,
          message: `Entry ${entry.seq} records decision ${entry.subject}, which is no longer in the decisions table: the row was deleted.`,
        };
      }
      // A row redacted after its retention matches the redacted digest the entry recorded when the
      // decision was made; any other change matches neither (see domain/redaction.ts).
      // The row itself must be the redacted form: redacting it here first would accept any edit to the prompt.
      const redacted = digestOf(entry, 'redacted_sha256');
      const actual = digestDecisionRecord(row);
      if (actual !== expected && (redacted === undefined || actual !== redacted)) {
        return {
          reason: 'record_changed',
          seq: entry.seq,
          message: `Decision ${entry.subject} does not match the digest its entry ${entry.seq} recorded: the decision row was edited after it was written.`,
        };
      }
    }
    return undefined;
  }

  private async checkCheckpoint(checkpoint: AuditCheckpoint, trusted: KeyObject): Promise<CheckpointCheck> {
    const signature = checkCheckpointSignature(checkpoint, trusted);
    if (!signature.ok) return { ok: false, seq: checkpoint.seq, message: signature.message };
    if (checkpoint.seq === 0) return { ok: true, seq: 0 };
    const entry = await findAuditEntry(this.db, checkpoint.seq);
    if (!entry) {
      const total = await countAuditEntries(this.db);
      return {
        ok: false,
        seq: checkpoint.seq,
        message: `The checkpoint of ${checkpoint.created_at} saw ${checkpoint.seq} entries; the log holds ${total}: it was truncated or restored from an older copy.`,
      };
    }
    if (entry.hash !== checkpoint.head_hash) {
      return {
        ok: false,
        seq: checkpoint.seq,
        message: `Entry ${checkpoint.seq} hashes to ${entry.hash.slice(0, 16)}…, not to the ${checkpoint.head_hash.slice(0, 16)}… signed at ${checkpoint.created_at}: the chain was rewritten since.`,
      };
    }
    return { ok: true, seq: checkpoint.seq };
  }
}

/** An entry as exported and as the API returns it: every field its hash covers. */
export function auditEntryView(entry: AuditEntry) {
  return {
    seq: entry.seq,
    created_at: entry.createdAt,
    kind: entry.kind,
    subject: entry.subject,
    actor: entry.actor,
    payload: entry.payload,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

/** Decision entries written since the chain bound rows carry `record_sha256`. */
function recordDigestOf(entry: AuditEntry): string | undefined {
  return digestOf(entry, 'record_sha256');
}

/** Decision entries written since prompts are redacted also carry `redacted_sha256`. */
function digestOf(entry: AuditEntry, field: 'record_sha256' | 'redacted_sha256'): string | undefined {
  const payload = entry.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const digest = payload[field];
  return typeof digest === 'string' ? digest : undefined;
}
