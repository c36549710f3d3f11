import type { Clock } from '../domain/clock.js';
import { claimJobs, completeJob, failJobAttempt, type JobRecord } from '../store/repositories/outbox.js';
import type { Store } from '../store/store.js';
import { PollLoop } from './poll-loop.js';
import { DEFAULT_RETRY, type JobHandler, type JobRunner, retryDelayMs, type RetryPolicy } from './types.js';

export interface InProcessRunnerOptions {
  store: Store;
  clock: Clock;
  handlers: ReadonlyMap<string, JobHandler>;
  retry?: RetryPolicy;
  /** How often to look for due jobs (retries whose back-off ended, jobs written by another process). */
  pollMs?: number;
  /** A claimed job not finished within this time is taken to be abandoned (its process died) and runs again. */
  leaseMs?: number;
  batchSize?: number;
  onError?: (error: unknown, job?: JobRecord) => void;
}

/**
 * Runs outbox jobs inside this process: the default on the embedded SQLite store, where one
 * process (or a CLI beside it) owns the file. Jobs are claimed in a transaction, so a second
 * process on the same file never runs the same job at once; a crash mid-job leaves the job
 * `running` until its lease ends, and then it is claimed again.
 */
export class InProcessJobRunner implements JobRunner {
  readonly engine = 'in-process' as const;
  private readonly retry: RetryPolicy;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly loop: PollLoop;

  constructor(private readonly options: InProcessRunnerOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.pollMs = options.pollMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.loop = new PollLoop(
      () => this.runDue(),
      this.pollMs,
      (error) => this.options.onError?.(error),
    );
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Runs every job due now, batch after batch; returns how many attempts were made. Tests call it directly. */
  async runDue(): Promise<number> {
    const kinds = [...this.options.handlers.keys()];
    let attempted = 0;
    for (;;) {
      const now = this.options.clock.now();
      const claimed = await this.options.store.transaction((trx) =>
        claimJobs(trx, this.options.store.dialect, {
          kinds,
          now: now.toISOString(),
          lockedUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
          limit: this.batchSize,
          from: 'pending',
          to: 'running',
        }),
      );
      if (claimed.length === 0) return attempted;
      for (const job of claimed) {
        await this.attempt(job);
        attempted++;
      }
    }
  }

  private async attempt(job: JobRecord): Promise<void> {
    const db = this.options.store.db;
    try {
      await this.options.handlers.get(job.kind)!(job);
    } catch (error) {
      const at = this.options.clock.now();
      const final = job.attempts >= this.retry.maxAttempts;
      await failJobAttempt(db, job.id, {
        error: (error as Error)?.message ?? String(error),
        now: at.toISOString(),
        runAfter: new Date(at.getTime() + retryDelayMs(this.retry, job.attempts)).toISOString(),
        final,
        retryStatus: 'pending',
      });
      this.options.onError?.(error, job);
      return;
    }
    await completeJob(db, job.id, this.options.clock.now().toISOString());
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
