import type { Selectable } from 'kysely';

import type { Category } from '../../domain/decision.js';
import type { StrikeRecord, SuspensionRecord } from '../../domain/enforcement.js';
import type { SuspensionThreshold } from '../../domain/policy/schema.js';
import type { Db } from '../db.js';
import type { AccountStrikeTable, AccountSuspensionTable } from '../schema.js';

export type StrikeRow = Selectable<AccountStrikeTable>;
export type SuspensionRow = Selectable<AccountSuspensionTable>;

/** Inserts the strikes not already stored for their (decision, category); returns the ids of those it inserted. */
export async function insertStrikes(db: Db, rows: StrikeRow[]): Promise<string[]> {
  const inserted: string[] = [];
  // One at a time: `on conflict do nothing ... returning` names exactly the rows this call added.
  for (const row of rows) {
    const added = await db
      .insertInto('account_strikes')
      .values(row)
      .onConflict((oc) => oc.columns(['decision_id', 'category']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (added) inserted.push(added.id);
  }
  return inserted;
}

export async function strikesOfAccount(db: Db, account: string): Promise<StrikeRow[]> {
  return db.selectFrom('account_strikes').selectAll().where('account', '=', account).orderBy('created_at').orderBy('id').execute();
}

export async function strikesOfDecision(db: Db, decisionId: string): Promise<StrikeRow[]> {
  return db.selectFrom('account_strikes').selectAll().where('decision_id', '=', decisionId).orderBy('id').execute();
}

/** Lifts the given strikes not lifted yet; returns the ids it lifted. */
export async function liftStrikes(db: Db, ids: string[], lift: { at: string; by: string; reason: string }): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('account_strikes')
    .set({ lifted_at: lift.at, lifted_by: lift.by, lifted_reason: lift.reason })
    .where('id', 'in', ids)
    .where('lifted_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function insertSuspension(db: Db, row: SuspensionRow): Promise<void> {
  await db.insertInto('account_suspensions').values(row).execute();
}

export async function suspensionsOfAccount(db: Db, account: string): Promise<SuspensionRow[]> {
  return db.selectFrom('account_suspensions').selectAll().where('account', '=', account).orderBy('started_at').orderBy('id').execute();
}

/**
 * The suspension of `account` in force at `at` that ends last, or undefined: the one query every
 * screened request makes for its requester, through the (account, ended_at) index.
 */
export async function findActiveSuspension(db: Db, account: string, at: string): Promise<SuspensionRow | undefined> {
  const rows = await db
    .selectFrom('account_suspensions')
    .selectAll()
    .where('account', '=', account)
    .where('ended_at', 'is', null)
    .where('started_at', '<=', at)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', at)]))
    .execute();
  return rows.sort((a, b) => (a.until === null ? -1 : b.until === null ? 1 : b.until.localeCompare(a.until)))[0];
}

/** Ends the given suspensions not ended yet; returns the ids it ended. */
export async function endSuspensions(db: Db, ids: string[], end: { at: string; by: string; reason: string }): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('account_suspensions')
    .set({ ended_at: end.at, ended_by: end.by, ended_reason: end.reason })
    .where('id', 'in', ids)
    .where('ended_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export function strikeRecord(row: StrikeRow): StrikeRecord {
  return {
    id: row.id,
    category: row.category as Category,
    decisionId: row.decision_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    liftedAt: row.lifted_at,
  };
}

export function suspensionRecord(row: SuspensionRow): SuspensionRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    until: row.until,
    automatic: Number(row.automatic) === 1,
    threshold: row.threshold === null ? null : (JSON.parse(row.threshold) as SuspensionThreshold),
    endedAt: row.ended_at,
  };
}

/** Whether the audit log holds an entry of this kind about this subject (through the subject index). */
export async function hasAuditEntry(db: Db, kind: string, subject: string): Promise<boolean> {
  const row = await db.selectFrom('audit_log').select('seq').where('subject', '=', subject).where('kind', '=', kind).limit(1).executeTakeFirst();
  return row !== undefined;
}
