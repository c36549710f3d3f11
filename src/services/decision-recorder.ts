import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import { appendAudit } from '../store/repositories/audit-log.js';
import { insertDecisions } from '../store/repositories/decisions.js';
import { insertLedgerEntries, type LedgerEntry } from '../store/repositories/ledger.js';
import type { Store } from '../store/store.js';

export type NewLedgerEntry = Omit<LedgerEntry, 'id'>;

interface Pending {
  record: DecisionRecord;
  actor: string;
  ledger: NewLedgerEntry[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes decisions and their audit entries with group commit: everything recorded while a
 * transaction is in flight goes into the next one. A caller's promise resolves only after its
 * decision is committed, so no answer is ever given for a decision that was not recorded.
 */
export class DecisionRecorder {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly store: Store, private readonly maxBatch = 256) {}

  /** Records a decision, and for a screened output its generation-ledger entries, in the same transaction. */
  record(record: DecisionRecord, actor: string, ledger: NewLedgerEntry[] = []): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, actor, ledger, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.store.transaction(async (trx) => {
          await appendAudit(
            trx,
            this.store.dialect,
            batch.map((item) => ({
              kind: 'decision',
              subject: item.record.id,
              actor: item.actor,
              createdAt: item.record.createdAt,
              payload: {
                stage: item.record.stage,
                decision: item.record.decision,
                categories: item.record.categories,
                rules: item.record.reasons.map((reason) => reason.rule),
                policy_version: item.record.policyVersion,
                requester: item.record.requester?.id ?? null,
                // Binds the stored decision row to the chain: editing the row is detectable.
                record_sha256: digestDecision(item.record),
              },
            })),
          );
          // After the audit append, which holds the chain's lock: ledger ids then commit in order (see iterateLedgerHashes).
          await insertDecisions(trx, batch.map((item) => item.record));
          await insertLedgerEntries(trx, batch.flatMap((item) => item.ledger));
        });
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.flushing = false;
  }
}

function digestDecision(record: DecisionRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}
