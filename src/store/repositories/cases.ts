import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { CaseTable, ReportTable } from '../schema.js';

export type CaseRow = Selectable<CaseTable>;
export type ReportRow = Selectable<ReportTable>;

/** The not-closed case about this platform content id, if any: a new report about it joins it. */
export async function findOpenCaseByContentId(db: Db, contentId: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('content_id', '=', contentId).where('state', '!=', 'closed').orderBy('opened_at').executeTakeFirst();
}

/** PDQ hashes of not-closed cases, for a near-duplicate scan of a reported image. */
export async function openCasePdqs(db: Db): Promise<Array<{ id: string; image_pdq: string }>> {
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'image_pdq'])
    .where('image_pdq', 'is not', null)
    .where('state', '!=', 'closed')
    .orderBy('opened_at')
    .execute();
  return rows.map((row) => ({ id: row.id, image_pdq: row.image_pdq! }));
}

export async function findCase(db: Db, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCase(db: Db, row: CaseRow): Promise<void> {
  await db.insertInto('cases').values(row).execute();
}

export async function updateCase(db: Db, id: string, changes: Partial<Omit<CaseRow, 'id'>>): Promise<void> {
  await db.updateTable('cases').set(changes).where('id', '=', id).execute();
}

export async function insertReport(db: Db, row: ReportRow): Promise<void> {
  await db.insertInto('reports').values(row).execute();
}

export async function reportsOfCase(db: Db, caseId: string): Promise<ReportRow[]> {
  return db.selectFrom('reports').selectAll().where('case_id', '=', caseId).orderBy('received_at').orderBy('id').execute();
}

export async function insertCaseEvent(db: Db, event: { caseId: string; at: string; kind: string; actor: string; payload: unknown }): Promise<void> {
  await db
    .insertInto('case_events')
    .values({ case_id: event.caseId, at: event.at, kind: event.kind, actor: event.actor, payload: JSON.stringify(event.payload) })
    .execute();
}

/** States in which a case's clock runs: every state but the terminal ones (actioned, declined, closed). */
export const RUNNING_CASE_STATES = ['open', 'in_review', 'appealed'] as const;

/**
 * One page of cases in `state` due by `until`, in (deadline, id) order after the keyset `after`:
 * a range scan of the `cases_state_deadline` index.
 */
export async function casesNearDeadline(
  db: Db,
  options: { state: string; until: string; after?: { deadline: string; id: string } | undefined; limit: number },
): Promise<Array<Pick<CaseRow, 'id' | 'opened_at' | 'deadline' | 'fired_alerts'>>> {
  let query = db
    .selectFrom('cases')
    .select(['id', 'opened_at', 'deadline', 'fired_alerts'])
    .where('state', '=', options.state)
    .where('deadline', '<=', options.until);
  const after = options.after;
  if (after) query = query.where((eb) => eb.or([eb('deadline', '>', after.deadline), eb.and([eb('deadline', '=', after.deadline), eb('id', '>', after.id)])]));
  return query.orderBy('deadline').orderBy('id').limit(options.limit).execute();
}

/**
 * Replaces a case's fired alert keys only if they are still `previous` and the case still runs;
 * false when another transaction changed them first (the row lock makes the second one wait
 * and then see the new value on PostgreSQL; SQLite's write lock serialises whole transactions).
 */
export async function setFiredAlerts(db: Db, id: string, change: { previous: string; next: string; at: string }): Promise<boolean> {
  const result = await db
    .updateTable('cases')
    .set({ fired_alerts: change.next, updated_at: change.at })
    .where('id', '=', id)
    .where('fired_alerts', '=', change.previous)
    .where('state', 'in', [...RUNNING_CASE_STATES])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Running cases whose deadline has passed by `now`. */
export async function countOverdueCases(db: Db, now: string): Promise<number> {
  const row = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('state', 'in', [...RUNNING_CASE_STATES])
    .where('deadline', '<=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
