import type { Clock } from '../domain/clock.js';
import { PerisaiError } from '../domain/errors.js';
import { InProcessJobRunner } from '../jobs/in-process-runner.js';
import { PgBossJobRunner } from '../jobs/pg-boss-runner.js';
import type { JobHandler, JobRunner, RetryPolicy } from '../jobs/types.js';
import { countJobsByStatus, findJob, JOB_STATUSES, type JobRecord, type JobStatus, listJobs, retryFailedJob } from '../store/repositories/outbox.js';

export { JOB_STATUSES, type JobRecord, type JobStatus };
import type { Store } from '../store/store.js';

export interface JobsOptions {
  retry?: RetryPolicy;
  pollMs?: number;
  onError?: (error: unknown, job?: JobRecord) => void;
}

/**
 * The outbox as use cases and operators see it. Handlers are registered per job kind (the
 * cases and enforcement use cases add theirs) before `start`; jobs of a kind with no handler
 * wait, pending, until one is registered. `start` runs them on pg-boss over PostgreSQL and
 * in this process over SQLite.
 */
export class JobsService {
  private readonly handlers = new Map<string, JobHandler>();
  private runner: JobRunner | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: JobsOptions = {},
  ) {}

  register(kind: string, handler: JobHandler): void {
    if (this.runner) throw new Error(`Job handler for "${kind}" registered after the runner started: register handlers before start().`);
    this.handlers.set(kind, handler);
  }

  get engine(): JobRunner['engine'] {
    return this.store.dialect === 'postgres' ? 'pg-boss' : 'in-process';
  }

  get running(): boolean {
    return this.runner !== undefined;
  }

  /** Kinds with a handler; jobs of other kinds wait in the outbox. */
  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** Starts the runner; with no handler registered there is nothing to run and no engine is started. */
  async start(): Promise<void> {
    if (this.runner || this.handlers.size === 0) return;
    const common = { store: this.store, clock: this.clock, handlers: this.handlers, ...this.options };
    const runner = this.store.dialect === 'postgres' ? new PgBossJobRunner(common) : new InProcessJobRunner(common);
    await runner.start();
    this.runner = runner;
  }

  /** Called after a commit that enqueued jobs. */
  wake(): void {
    this.runner?.wake();
  }

  list(filter: { status?: JobStatus | undefined; kind?: string | undefined; limit?: number; beforeId?: number | undefined } = {}): Promise<JobRecord[]> {
    return listJobs(this.store.db, { ...filter, limit: Math.min(Math.max(filter.limit ?? 50, 1), 1000) });
  }

  counts(): Promise<Record<JobStatus, number>> {
    return countJobsByStatus(this.store.db);
  }

  async get(id: number): Promise<JobRecord> {
    const job = await findJob(this.store.db, id);
    if (!job) throw new PerisaiError('not_found', `There is no job ${id}: list jobs to see their ids.`);
    return job;
  }

  /** Gives a failed job a fresh set of attempts. */
  async retry(id: number): Promise<JobRecord> {
    if (!(await retryFailedJob(this.store.db, id, this.clock.now().toISOString()))) {
      const job = await this.get(id);
      throw new PerisaiError('conflict', `Job ${id} is ${job.status}, not failed: only a failed job can be retried.`);
    }
    this.wake();
    return this.get(id);
  }

  async stop(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.stop();
  }
}
