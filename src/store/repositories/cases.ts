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
