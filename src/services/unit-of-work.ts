import type { Clock } from '../domain/clock.js';
import { appendAudit, type NewAuditEntry } from '../store/repositories/audit-log.js';
import { type IndexChange, lockIndexChanges, recordIndexChanges } from '../store/repositories/index-changes.js';
import { insertJobs, type NewJob } from '../store/repositories/outbox.js';
import type { Db, DialectName, Store } from '../store/store.js';

/** `createdAt` defaults to the transaction's time; a decision keeps the time it was made. */
export type AuditInput = Omit<NewAuditEntry, 'createdAt'> & { createdAt?: string };
export type IndexChangeInput = Omit<IndexChange, 'seq'>;

/** What a committed transaction changed beyond its own rows, for whoever follows it. */
export interface CommitEffects {
  /** The in-memory hash indexes must catch up before the caller answers. */
  indexChanged: boolean;
  /** Jobs were enqueued: the runner can start on them now rather than at its next poll. */
  jobsEnqueued: number;
}

/**
 * One transaction as a use case sees it. Every write a use case makes goes through `db`;
 * `audit` appends to the hash chain at once (it takes the chain's lock, which also orders
 * ledger ids, see DecisionRecorder); index changes and jobs are collected and written just
 * before commit, index changes under the index lock. All of it commits together or not at all.
 */
export class Tx {
  private readonly indexChanges: IndexChangeInput[] = [];
  private readonly jobs: NewJob[] = [];

  constructor(
    readonly db: Db,
    readonly dialect: DialectName,
    /** The transaction's time, from the clock: every row it stamps carries the same instant. */
    readonly at: string,
  ) {}

  async audit(entries: AuditInput[]): Promise<void> {
    await appendAudit(
      this.db,
      this.dialect,
      entries.map((entry) => ({ ...entry, createdAt: entry.createdAt ?? this.at })),
    );
  }

  /** Notes that rows of an indexed table changed (see HashIndexes). */
  indexChanged(changes: IndexChangeInput[]): void {
    this.indexChanges.push(...changes);
  }

  /** Puts actions in the outbox; the job runner carries them out after commit. */
  enqueue(jobs: NewJob[]): void {
    this.jobs.push(...jobs);
  }

  /** @internal Writes what was collected; UnitOfWork calls this last inside the transaction. */
  async flush(): Promise<CommitEffects> {
    // The index lock is taken after any audit append, never before: one order everywhere, no deadlock.
    if (this.indexChanges.length > 0) {
      await lockIndexChanges(this.db, this.dialect);
      await recordIndexChanges(this.db, this.indexChanges, this.at);
    }
    if (this.jobs.length > 0) await insertJobs(this.db, this.jobs, this.at);
    return { indexChanged: this.indexChanges.length > 0, jobsEnqueued: this.jobs.length };
  }
}

export type CommitListener = (effects: CommitEffects) => Promise<void> | void;

/**
 * The one way use cases write: `run` opens a transaction (or joins the caller's), hands the
 * use case a Tx, and after commit tells the listeners what changed (the indexes refresh, the
 * job runner wakes). A use case that calls another passes its Tx along, so both, their audit
 * entries and the jobs they enqueue commit as one.
 */
export class UnitOfWork {
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly store: Store,
    readonly clock: Clock,
  ) {}

  get dialect(): DialectName {
    return this.store.dialect;
  }

  /** For reads outside any transaction. */
  get db(): Db {
    return this.store.db;
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  async run<T>(fn: (tx: Tx) => Promise<T>, outer?: Tx): Promise<T> {
    // Joined: the outer run writes the collected changes and notifies when it commits.
    if (outer) return fn(outer);
    let effects: CommitEffects = { indexChanged: false, jobsEnqueued: 0 };
    const result = await this.store.transaction(async (trx) => {
      const tx = new Tx(trx, this.store.dialect, this.clock.now().toISOString());
      const value = await fn(tx);
      effects = await tx.flush();
      return value;
    });
    if (effects.indexChanged || effects.jobsEnqueued > 0) {
      for (const listener of this.listeners) await listener(effects);
    }
    return result;
  }
}
