/**
 * Typed pool errors with stable codes, turned into HTTP responses at the edge only
 * (`detector_busy` → 503 with Retry-After).
 */

/** The queue is full: the caller should answer 503 and ask the client to retry later. */
export class PoolBusyError extends Error {
  readonly code = 'detector_busy';
  constructor(
    /** A rough estimate of when a slot frees up: the queue's expected drain time, 1..30 s. */
    readonly retryAfterSeconds: number,
    readonly queued: number,
  ) {
    super(`image detectors busy: ${queued} images queued; retry after ${retryAfterSeconds} s`);
    this.name = 'PoolBusyError';
  }
}

/** `analyse` was called after `close()`. */
export class PoolClosedError extends Error {
  readonly code = 'detector_pool_closed';
  constructor() {
    super('image detector pool is closed');
    this.name = 'PoolClosedError';
  }
}
