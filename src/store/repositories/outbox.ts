import { type Selectable, sql } from 'kysely';

import type { JsonValue } from '../../domain/canonical-json.js';
import type { Db, DialectName } from '../db.js';
import type { OutboxTable } from '../schema.js';
import { inChunks } from './chunked.js';

export const JOB_STATUSES = ['pending', 'queued', 'running', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface NewJob {
  kind: string;
  /** What the job is about (a decision id, a case id): for listing and tracing. */
  subject: string;
  payload: JsonValue;
}

export interface JobRecord extends NewJob {
  id: number;
  status: JobStatus;
  attempts: number;
  createdAt: string;
  runAfter: string;
  lastError: string | null;
  updatedAt: string;
}

export async function insertJobs(trx: Db, jobs: NewJob[], at: string): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    await trx
      .insertInto('outbox')
      .values(
        jobs.slice(i, i + 100).map((job) => ({
          kind: job.kind,
          subject: job.subject,
          payload: JSON.stringify(job.payload),
          created_at: at,
          status: 'pending',
          attempts: 0,
          run_after: at,
          locked_until: null,
          last_error: null,
          updated_at: at,
        })),
      )
      .execute();
  }
}

/**
 * Claims due jobs of the given kinds for one runner: pending ones whose back-off has passed,
 * and running ones whose lease ran out (the process that held them died). Each claim counts as
 * an attempt. On PostgreSQL the rows are locked with SKIP LOCKED so concurrent claimers never
 * take the same job; on SQLite the write lock already serialises them.
 */
export async function claimJobs(
  trx: Db,
  dialect: DialectName,
  options: { kinds: readonly string[]; now: string; lockedUntil: string; limit: number; from: JobStatus; to: JobStatus },
): Promise<JobRecord[]> {
  if (options.kinds.length === 0) return [];
  let due = trx
    .selectFrom('outbox')
    .select('id')
    // The kinds with a handler: a handful, fixed by the code, never caller-sized.
    .where('kind', 'in', [...options.kinds])
    .where('run_after', '<=', options.now)
    // Only a claim to run reclaims abandoned runs; a relay hands pending jobs on and nothing else.
    .where((eb) =>
      options.to === 'running'
        ? eb.or([eb('status', '=', options.from), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', options.now)])])
        : eb('status', '=', options.from),
    )
    .orderBy('id')
    .limit(options.limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const ids = (await due.execute()).map((row) => Number(row.id));
  if (ids.length === 0) return [];
  const rows = await inChunks(ids, (chunk) =>
    trx
      .updateTable('outbox')
      .set({
        status: options.to,
        attempts: options.to === 'running' ? sql<number>`attempts + 1` : sql<number>`attempts`,
        locked_until: options.to === 'running' ? options.lockedUntil : null,
        updated_at: options.now,
      })
      .where('id', 'in', chunk)
      .returningAll()
      .execute(),
  );
  return rows.map(fromRow).sort((a, b) => a.id - b.id);
}

/** Marks one attempt of a job as started (PostgreSQL: pg-boss delivered it). */
export async function startJobAttempt(db: Db, id: number, now: string, lockedUntil: string): Promise<JobRecord | undefined> {
  const row = await db
    .updateTable('outbox')
    .set({ status: 'running', attempts: sql<number>`attempts + 1`, locked_until: lockedUntil, updated_at: now })
    .where('id', '=', id)
    .where('status', '!=', 'done')
    .returningAll()
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function completeJob(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'done', locked_until: null, last_error: null, updated_at: now }).where('id', '=', id).execute();
}

/** Records a failed attempt: back to `retryStatus` after `runAfter`, or `failed` for good. */
export async function failJobAttempt(
  db: Db,
  id: number,
  options: { error: string; now: string; runAfter: string; final: boolean; retryStatus: JobStatus },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: options.final ? 'failed' : options.retryStatus,
      run_after: options.runAfter,
      locked_until: null,
      last_error: options.error.slice(0, 2000),
      updated_at: options.now,
    })
    .where('id', '=', id)
    .execute();
}

/** Makes a failed job due again, with its attempts reset; false when no failed job has this id. */
export async function retryFailedJob(db: Db, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, run_after: now, locked_until: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findJob(db: Db, id: number): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Newest first; `beforeId` pages backwards. */
export async function listJobs(
  db: Db,
  options: { status?: JobStatus | undefined; kind?: string | undefined; limit: number; beforeId?: number | undefined },
): Promise<JobRecord[]> {
  let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.kind) query = query.where('kind', '=', options.kind);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  return (await query.execute()).map(fromRow);
}

export async function countJobsByStatus(db: Db): Promise<Record<JobStatus, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<number>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  for (const row of rows) if ((JOB_STATUSES as readonly string[]).includes(row.status)) counts[row.status as JobStatus] = Number(row.n);
  return counts;
}

function fromRow(row: Selectable<OutboxTable>): JobRecord {
  return {
    id: Number(row.id),
    kind: row.kind,
    subject: row.subject,
    payload: JSON.parse(row.payload) as JsonValue,
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    runAfter: row.run_after,
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}
