import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { WebhookAttemptTable, WebhookDeliveryTable } from '../schema.js';
import { inChunks } from './chunked.js';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed', 'undeliverable'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type AttemptOutcome = 'delivered' | 'failed' | 'undeliverable';

export interface DeliveryRecord {
  id: string;
  eventType: string;
  caseId: string | null;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  lastHttpStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface AttemptRecord {
  attempt: number;
  attemptedAt: string;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
}

export async function insertDelivery(db: Db, delivery: DeliveryRecord): Promise<void> {
  await db
    .insertInto('webhook_deliveries')
    .values({
      id: delivery.id,
      event_type: delivery.eventType,
      case_id: delivery.caseId,
      body: delivery.body,
      status: delivery.status,
      attempts: delivery.attempts,
      last_http_status: delivery.lastHttpStatus,
      last_error: delivery.lastError,
      next_attempt_at: delivery.nextAttemptAt,
      created_at: delivery.createdAt,
      updated_at: delivery.updatedAt,
      delivered_at: delivery.deliveredAt,
    })
    .execute();
}

export async function findDelivery(db: Db, id: string): Promise<DeliveryRecord | undefined> {
  const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? deliveryFromRow(row) : undefined;
}

/** Records one attempt and the delivery's state after it; call inside a transaction so both land together. */
export async function recordAttempt(db: Db, id: string, attempt: AttemptRecord, state: { status: DeliveryStatus; deliveredAt: string | null }): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      delivery_id: id,
      attempt: attempt.attempt,
      attempted_at: attempt.attemptedAt,
      outcome: attempt.outcome,
      http_status: attempt.httpStatus,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      next_attempt_at: attempt.nextAttemptAt,
    })
    .execute();
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: state.status,
      attempts: attempt.attempt,
      last_http_status: attempt.httpStatus,
      last_error: attempt.error,
      next_attempt_at: attempt.nextAttemptAt,
      updated_at: attempt.attemptedAt,
      delivered_at: state.deliveredAt,
    })
    .where('id', '=', id)
    .execute();
}

/** A case's deliveries, oldest first, each with its attempts: two queries, whatever the count. */
export async function deliveriesForCase(db: Db, caseId: string, limit = 200): Promise<Array<DeliveryRecord & { attemptLog: AttemptRecord[] }>> {
  const rows = await db.selectFrom('webhook_deliveries').selectAll().where('case_id', '=', caseId).orderBy('created_at').orderBy('id').limit(limit).execute();
  return withAttempts(db, rows.map(deliveryFromRow));
}

export async function withAttempts(db: Db, deliveries: DeliveryRecord[]): Promise<Array<DeliveryRecord & { attemptLog: AttemptRecord[] }>> {
  if (deliveries.length === 0) return [];
  // All of one delivery's attempts come from one chunk, in attempt order.
  const attempts = await inChunks(
    deliveries.map((d) => d.id),
    (chunk) => db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', chunk).orderBy('delivery_id').orderBy('attempt').execute(),
  );
  const byDelivery = new Map<string, AttemptRecord[]>();
  for (const row of attempts) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(attemptFromRow(row));
    byDelivery.set(row.delivery_id, list);
  }
  return deliveries.map((d) => ({ ...d, attemptLog: byDelivery.get(d.id) ?? [] }));
}

function deliveryFromRow(row: Selectable<WebhookDeliveryTable>): DeliveryRecord {
  return {
    id: row.id,
    eventType: row.event_type,
    caseId: row.case_id,
    body: row.body,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    lastHttpStatus: row.last_http_status === null ? null : Number(row.last_http_status),
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

function attemptFromRow(row: Selectable<WebhookAttemptTable>): AttemptRecord {
  return {
    attempt: Number(row.attempt),
    attemptedAt: row.attempted_at,
    outcome: row.outcome as AttemptOutcome,
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    durationMs: Number(row.duration_ms),
    nextAttemptAt: row.next_attempt_at,
  };
}
