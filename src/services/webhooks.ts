import { randomUUID } from 'node:crypto';

import type { Clock } from '../domain/clock.js';
import { PerisaiError } from '../domain/errors.js';
import { signWebhook } from '../domain/webhook-signature.js';
import { DEFAULT_RETRY, type JobHandler, retryDelayMs, type RetryPolicy } from '../jobs/types.js';
import type { JobRecord } from '../store/repositories/outbox.js';
import {
  type AttemptRecord,
  deliveriesForCase,
  type DeliveryRecord,
  type DeliveryStatus,
  findDelivery,
  insertDelivery,
  recordAttempt,
  withAttempts,
} from '../store/repositories/webhook-deliveries.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

export type { AttemptRecord, DeliveryStatus };

/** The outbox job kind that carries a delivery out. */
export const WEBHOOK_JOB_KIND = 'webhook.deliver';

export const UNDELIVERABLE_NO_URL = 'undeliverable: no PERISAI_WEBHOOK_URL configured';

export interface WebhookEvent {
  /** e.g. 'content.remove', 'case.deadline_near', 'case.overdue', 'report.outcome'. */
  type: string;
  subject?: { caseId?: string };
  payload: object;
}

export interface WebhookConfig {
  /** Where deliveries go; absent: each delivery is recorded undeliverable, never dropped. */
  url?: string | undefined;
  secret?: string | undefined;
  timeoutSeconds: number;
  /** The job runner's retry policy, so each attempt can record when the next one is due. */
  retry?: RetryPolicy;
}

export interface DeliveryView {
  id: string;
  event: string;
  case_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: Array<{
    attempt: number;
    at: string;
    outcome: AttemptRecord['outcome'];
    http_status: number | null;
    error: string | null;
    duration_ms: number;
    next_attempt_at: string | null;
  }>;
}

/**
 * Signed webhooks to the platform (remove this content, a case is near its deadline, tell the
 * reporter). `enqueue` writes the delivery and its outbox job in the caller's transaction, so
 * a webhook exists exactly when the action that caused it committed; the job runner posts it,
 * retries with the runner's back-off and each attempt is recorded for the case to show.
 */
export class WebhookService {
  private readonly retry: RetryPolicy;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: WebhookConfig,
  ) {
    if (config.url !== undefined && !config.secret) {
      throw new PerisaiError(
        'invalid_config',
        'PERISAI_WEBHOOK_URL is set but PERISAI_WEBHOOK_SECRET is not: set a secret of at least 16 characters so receivers can verify each webhook.',
      );
    }
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  get configured(): boolean {
    return this.config.url !== undefined;
  }

  async enqueue(tx: Tx, event: WebhookEvent): Promise<string> {
    const id = `whd_${randomUUID()}`;
    const caseId = event.subject?.caseId ?? null;
    const body = JSON.stringify({ id, type: event.type, created_at: tx.at, subject: caseId === null ? {} : { case_id: caseId }, data: event.payload });
    const configured = this.configured;
    const delivery: DeliveryRecord = {
      id,
      eventType: event.type,
      caseId,
      body,
      status: configured ? 'pending' : 'undeliverable',
      attempts: 0,
      lastHttpStatus: null,
      lastError: configured ? null : UNDELIVERABLE_NO_URL,
      nextAttemptAt: configured ? tx.at : null,
      createdAt: tx.at,
      updatedAt: tx.at,
      deliveredAt: null,
    };
    await insertDelivery(tx.db, delivery);
    // No receiver: the row says so on the case; a job would only fail the same way eight times.
    if (configured) tx.enqueue([{ kind: WEBHOOK_JOB_KIND, subject: id, payload: { delivery_id: id } }]);
    return id;
  }

  async get(id: string): Promise<DeliveryView> {
    const delivery = await findDelivery(this.uow.db, id);
    if (!delivery) throw new PerisaiError('not_found', `There is no webhook delivery ${id}: check the id on the case.`);
    const [full] = await withAttempts(this.uow.db, [delivery]);
    return view(full!);
  }

  /** A case's deliveries with every attempt, oldest first: what the case page shows. */
  async deliveriesFor(caseId: string): Promise<DeliveryView[]> {
    return (await deliveriesForCase(this.uow.db, caseId)).map(view);
  }

  /** The job handler; register it on JobsService under WEBHOOK_JOB_KIND. */
  readonly handler: JobHandler = (job) => this.deliver(job);

  private async deliver(job: JobRecord): Promise<void> {
    const id = deliveryIdOf(job);
    const delivery = await findDelivery(this.uow.db, id);
    // Delivery is at least once: a job that ran after its delivery was recorded does nothing.
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'undeliverable') return;
    const started = this.clock.now();
    // Numbered per delivery, not per job: an operator's `jobs retry` resets the job's count, not the history.
    const attempt = delivery.attempts + 1;
    if (this.config.url === undefined) {
      await this.record(id, attempt, started, { outcome: 'undeliverable', httpStatus: null, error: UNDELIVERABLE_NO_URL, durationMs: 0 });
      return;
    }
    const t = Math.floor(started.getTime() / 1000);
    const startedMs = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'perisai-webhooks/1',
          'x-perisai-signature': signWebhook(this.config.secret!, delivery.body, t),
          'x-perisai-event': delivery.eventType,
          'x-perisai-delivery': delivery.id,
        },
        body: delivery.body,
        // A redirect is not a delivery: the receiver must answer at the configured URL.
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.round(this.config.timeoutSeconds * 1000)),
      });
      httpStatus = response.status;
      // Read (and drop) the body so the connection is released before the next attempt.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) error = `The receiver answered HTTP ${response.status}, not 2xx.`;
    } catch (cause) {
      error = describeFailure(cause, this.config.url, this.config.timeoutSeconds);
    }
    const durationMs = Math.round(performance.now() - startedMs);
    if (error === null) {
      await this.record(id, attempt, started, { outcome: 'delivered', httpStatus, error: null, durationMs });
      return;
    }
    const final = job.attempts >= this.retry.maxAttempts;
    const next = final ? null : new Date(this.clock.now().getTime() + retryDelayMs(this.retry, job.attempts)).toISOString();
    const sentence = final
      ? `${error} Gave up after ${job.attempts} attempts; retry the job with perisai jobs retry once the receiver is fixed.`
      : `${error} Attempt ${job.attempts} of ${this.retry.maxAttempts}; the next is due at ${next}.`;
    await this.record(id, attempt, started, { outcome: 'failed', httpStatus, error: sentence, durationMs, nextAttemptAt: next, final });
    // Throwing hands the retry to the job runner and its back-off.
    throw new Error(sentence);
  }

  private async record(
    id: string,
    attempt: number,
    at: Date,
    result: {
      outcome: AttemptRecord['outcome'];
      httpStatus: number | null;
      error: string | null;
      durationMs: number;
      nextAttemptAt?: string | null;
      final?: boolean;
    },
  ): Promise<void> {
    const status: DeliveryStatus = result.outcome === 'failed' ? (result.final ? 'failed' : 'retrying') : result.outcome;
    await this.uow.run((tx) =>
      recordAttempt(
        tx.db,
        id,
        {
          attempt,
          attemptedAt: at.toISOString(),
          outcome: result.outcome,
          httpStatus: result.httpStatus,
          error: result.error,
          durationMs: result.durationMs,
          nextAttemptAt: result.nextAttemptAt ?? null,
        },
        { status, deliveredAt: result.outcome === 'delivered' ? tx.at : null },
      ),
    );
  }
}

function deliveryIdOf(job: JobRecord): string {
  const payload = job.payload as { delivery_id?: unknown } | null;
  if (payload && typeof payload.delivery_id === 'string') return payload.delivery_id;
  return job.subject;
}

/** A sentence for the case page: what went wrong, never a stack. */
function describeFailure(cause: unknown, url: string, timeoutSeconds: number): string {
  const error = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return `The receiver at ${safeUrl(url)} did not answer within ${timeoutSeconds} s (PERISAI_WEBHOOK_TIMEOUT).`;
  }
  const code = error?.cause?.code;
  return `Could not reach the receiver at ${safeUrl(url)}${code ? ` (${code})` : ''}: check PERISAI_WEBHOOK_URL and that the receiver is up.`;
}

/** The URL without credentials or query (a token in the query must not land on a case page). */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

function view(d: DeliveryRecord & { attemptLog: AttemptRecord[] }): DeliveryView {
  return {
    id: d.id,
    event: d.eventType,
    case_id: d.caseId,
    status: d.status,
    attempts: d.attempts,
    last_http_status: d.lastHttpStatus,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
    attempt_log: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      at: a.attemptedAt,
      outcome: a.outcome,
      http_status: a.httpStatus,
      error: a.error,
      duration_ms: a.durationMs,
      next_attempt_at: a.nextAttemptAt,
    })),
  };
}
