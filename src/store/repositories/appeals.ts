import { type Selectable, sql } from 'kysely';

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

/**
 * Appeals about an account: those of the decisions its strikes came from, and those the account
 * holder made. The appellant is stored as JSON, so the account is found by a LIKE on its quoted
 * value (escaped: `_` is in account ids and is a LIKE wildcard) and then checked exactly.
 */
export async function appealsAboutAccount(db: Db, account: string, decisionIds: string[]): Promise<AppealRow[]> {
  const pattern = `%${JSON.stringify(account).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const [ofDecisions, byHolder] = await Promise.all([
    decisionIds.length === 0 ? [] : db.selectFrom('appeals').selectAll().where('decision_id', 'in', decisionIds).execute(),
    db
      .selectFrom('appeals')
      .selectAll()
      .where('appellant_type', '=', 'account_holder')
      .where(sql<boolean>`appellant like ${pattern} escape '\\'`)
      .execute(),
  ]);
  const exact = byHolder.filter((row) => (JSON.parse(row.appellant) as { account?: unknown }).account === account);
  const seen = new Map<string, AppealRow>();
  for (const row of [...ofDecisions, ...exact]) seen.set(row.case_id, row);
  return [...seen.values()].sort((a, b) => (a.opened_at < b.opened_at ? 1 : a.opened_at > b.opened_at ? -1 : 0));
}
