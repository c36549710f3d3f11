import type { JobRecord } from '../store/repositories/outbox.js';

/**
 * Carries out one job. Delivery is at least once (a process can die after the work and before
 * the job is marked done), so a handler must be idempotent: key its effect on `job.id` or
 * `job.subject`. Throwing fails the attempt; the job is retried with back-off.
 */
export type JobHandler = (job: JobRecord) => Promise<void>;

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the job is `failed`. */
  maxAttempts: number;
  /** Delay after the first failure; doubled after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 60 * 60_000 };

/** Exponential back-off without jitter: deterministic, so tests with a fake clock can predict it. */
export function retryDelayMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface JobRunner {
  /** The engine behind it, for `perisai jobs list` and logs. */
  readonly engine: 'in-process' | 'pg-boss';
  start(): Promise<void>;
  /** Jobs were just committed: look now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}
