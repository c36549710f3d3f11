import { type DecisionRecord, digestDecisionRecord } from '../domain/decision-record.js';
import { insertDecisions } from '../store/repositories/decisions.js';
import { insertLedgerEntries, type LedgerEntry } from '../store/repositories/ledger.js';
import type { NewJob } from '../store/repositories/outbox.js';
import { insertStatements, type StatementRow } from '../store/repositories/statements.js';
import { decisionStatement } from './sor.js';
import type { UnitOfWork } from './unit-of-work.js';

export type NewLedgerEntry = Omit<LedgerEntry, 'id'>;

interface Pending {
  record: DecisionRecord;
  actor: string;
  ledger: NewLedgerEntry[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes decisions, their audit entries and the actions they trigger (outbox jobs) with group
 * commit: everything recorded while a transaction is in flight goes into the next one. A
 * caller's promise resolves only after its decision is committed, so no answer is ever given
 * for a decision that was not recorded, and no decision is recorded without its actions.
 */
export class DecisionRecorder {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly maxBatch = 256,
    /** The statement of reasons a decision needs (a refused request), built in the same transaction. */
    private readonly statementOf: (record: DecisionRecord) => StatementRow | undefined = decisionStatement,
  ) {}

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
      const batch: Pending[] = [];
      const statements: StatementRow[] = [];
      // Built before the transaction: one decision whose statement cannot be built fails alone, not its batch.
      for (const item of this.queue.splice(0, this.maxBatch)) {
        try {
          const statement = this.statementOf(item.record);
          if (statement) statements.push(statement);
          batch.push(item);
        } catch (error) {
          item.reject(error);
        }
      }
      if (batch.length === 0) continue;
      try {
        await this.uow.run(async (tx) => {
          await tx.audit(
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
                record_sha256: digestDecisionRecord(item.record),
              },
            })),
          );
          // After the audit append, which holds the chain's lock: ledger ids then commit in order (see iterateLedgerHashes).
          await insertDecisions(
            tx.db,
            batch.map((item) => item.record),
          );
          await insertLedgerEntries(
            tx.db,
            batch.flatMap((item) => item.ledger),
          );
          await insertStatements(tx.db, statements);
          tx.enqueue(batch.flatMap((item) => actionJobs(item.record)));
        });
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.flushing = false;
  }
}

/** One job per action the policy asked for, carrying what a handler needs without re-reading the decision. */
export function actionJobs(record: DecisionRecord): NewJob[] {
  return record.actions.map((action) => ({
    kind: action,
    subject: record.id,
    payload: {
      decision_id: record.id,
      stage: record.stage,
      decision: record.decision,
      categories: record.categories,
      rules: record.reasons.map((reason) => reason.rule),
      requester: record.requester?.id ?? null,
      jurisdiction: record.jurisdiction,
      request_id: record.requestId,
      policy_version: record.policyVersion,
      decided_at: record.createdAt,
    },
  }));
}
