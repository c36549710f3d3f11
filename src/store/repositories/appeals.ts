import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { AppealTable } from '../schema.js';

export type AppealRow = Selectable<AppealTable>;

export async function insertAppeal(db: Db, row: AppealRow): Promise<void> {
  await db.insertInto('appeals').values(row).execute();
}

export async function findAppeal(db: Db, caseId: string): Promise<AppealRow | undefined> {
  return db.selectFrom('appeals').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

export async function findAppealOf(db: Db, appealOf: string): Promise<AppealRow | undefined> {
  return db.selectFrom('appeals').selectAll().where('appeal_of', '=', appealOf).executeTakeFirst();
}

/** Records the outcome once; false when the appeal was already decided. */
export async function decideAppeal(db: Db, caseId: string, outcome: { outcome: string; at: string; by: string }): Promise<boolean> {
  const result = await db
    .updateTable('appeals')
    .set({ outcome: outcome.outcome, decided_at: outcome.at, decided_by: outcome.by })
    .where('case_id', '=', caseId)
    .where('outcome', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
