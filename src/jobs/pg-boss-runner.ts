import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';

import type { Clock } from '../domain/clock.js';
import { PerisaiError } from '../domain/errors.js';
import { claimJobs, completeJob, failJobAttempt, findJob, type JobRecord, startJobAttempt } from '../store/repositories/outbox.js';
import type { Db, Store } from '../store/store.js';
import { PollLoop } from './poll-loop.js';
import { DEFAULT_RETRY, type JobHandler, type JobRunner, type RetryPolicy } from './types.js';

export interface PgBossRunnerOptions {
  store: Store;
  clock: Clock;
  handlers: ReadonlyMap<string, JobHandler>;
  retry?: RetryPolicy;
  /** How often the relay looks for outbox rows written by other processes. */
  pollMs?: number;
  onError?: (error: unknown, job?: JobRecord) => void;
}

interface OutboxRef {
  outbox_id: number;
}

/**
 * Runs outbox jobs on pg-boss, so every instance on one PostgreSQL database shares the work
 * and a job survives the death of the instance running it. The outbox row is still the
 * record: a relay hands pending rows to pg-boss in the same transaction that marks them
 * `queued` (pg-boss inserts through that transaction's connection), so a row is queued
 * exactly once; pg-boss delivers, retries with exponential back-off and expires stuck jobs;
 * each attempt's outcome is written back to the row for `perisai jobs list`.
 */
export class PgBossJobRunner implements JobRunner {
  readonly engine = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly retry: RetryPolicy;
  private readonly pollMs: number;
  private readonly loop: PollLoop;

  constructor(private readonly options: PgBossRunnerOptions) {
    const postgres = options.store.postgres;
    if (!postgres) throw new PerisaiError('invalid_config', 'The pg-boss job runner needs a PostgreSQL store; the embedded store runs jobs in-process.');
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.pollMs = options.pollMs ?? 1_000;
    this.boss = new PgBoss({
      connectionString: postgres.url,
      // Beside the store's own schema, so test suites (one schema each) keep separate queues.
      schema: postgres.schema ? `${postgres.schema}_jobs` : 'perisai_jobs',
      max: 4,
      // No cron schedules here; the monitor and maintenance loops keep pg-boss's tables tidy.
      schedule: false,
    });
    this.boss.on('error', (error) => options.onError?.(error));
    this.loop = new PollLoop(
      () => this.relay(),
      this.pollMs,
      (error) => this.options.onError?.(error),
    );
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const kind of this.options.handlers.keys()) {
      await this.boss.createQueue(kind, {
        name: kind,
        retryLimit: this.retry.maxAttempts - 1,
        retryDelay: Math.max(1, Math.round(this.retry.baseDelayMs / 1000)),
        retryBackoff: true,
        expireInSeconds: 15 * 60,
      });
      await this.boss.work<OutboxRef>(kind, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
        if (job) await this.deliver(job.data.outbox_id, job.retryCount >= job.retryLimit);
      });
    }
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Hands every pending outbox row to pg-boss; returns when none is left. */
  async relay(): Promise<void> {
    const kinds = [...this.options.handlers.keys()];
    for (;;) {
      const now = this.options.clock.now().toISOString();
      const moved = await this.options.store.transaction(async (trx) => {
        const jobs = await claimJobs(trx, 'postgres', { kinds, now, lockedUntil: now, limit: 100, from: 'pending', to: 'queued' });
        const db = transactionAdapter(trx);
        for (const job of jobs) await this.boss.send(job.kind, { outbox_id: job.id } satisfies OutboxRef, { db });
        return jobs.length;
      });
      if (moved === 0) return;
    }
  }

  private async deliver(id: number, lastAttempt: boolean): Promise<void> {
    const db = this.options.store.db;
    const now = this.options.clock.now();
    const job = await startJobAttempt(db, id, now.toISOString(), new Date(now.getTime() + 15 * 60_000).toISOString());
    // Done already (a redelivery after the row was completed): nothing to do.
    if (!job) return;
    try {
      await this.options.handlers.get(job.kind)!(job);
    } catch (error) {
      const at = this.options.clock.now().toISOString();
      await failJobAttempt(db, id, { error: (error as Error)?.message ?? String(error), now: at, runAfter: at, final: lastAttempt, retryStatus: 'queued' });
      this.options.onError?.(error, job);
      // pg-boss schedules the retry.
      throw error;
    }
    await completeJob(db, id, this.options.clock.now().toISOString());
  }

  /** For tests: the job row as pg-boss left it. */
  find(id: number): Promise<JobRecord | undefined> {
    return findJob(this.options.store.db, id);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

/** Lets pg-boss insert through our transaction's connection, so the job and the row commit together. */
function transactionAdapter(trx: Db): { executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }> } {
  return {
    async executeSql(text, values) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
  };
}
