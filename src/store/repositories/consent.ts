import { type Selectable, sql } from 'kysely';

import type { Db, DialectName } from '../db.js';
import type { ProtectedHashTable } from '../schema.js';
import { inChunks } from './chunked.js';

export interface ConsentSettings {
  allowAiEditsByOthers: boolean;
  allowAiEditsBySelf: boolean;
}

/** Consent is the default: nobody else may AI-edit a person's photos until they say so. */
export const DEFAULT_CONSENT: ConsentSettings = { allowAiEditsByOthers: false, allowAiEditsBySelf: true };

export interface StoredConsent extends ConsentSettings {
  account: string;
  updatedAt: string;
}

export interface ProtectedHashRow {
  id: number;
  account: string;
  pdq: string;
  quality: number;
  sha256: string | null;
  createdAt: string;
}

export async function findConsent(db: Db, account: string): Promise<StoredConsent | undefined> {
  const row = await db.selectFrom('consent_settings').selectAll().where('account', '=', account).executeTakeFirst();
  return (
    row && {
      account: row.account,
      allowAiEditsByOthers: Boolean(row.allow_ai_edits_by_others),
      allowAiEditsBySelf: Boolean(row.allow_ai_edits_by_self),
      updatedAt: row.updated_at,
    }
  );
}

export async function findConsents(db: Db, accounts: string[]): Promise<Map<string, StoredConsent>> {
  const rows = await inChunks(accounts, (chunk) => db.selectFrom('consent_settings').selectAll().where('account', 'in', chunk).execute());
  return new Map(
    rows.map((row) => [
      row.account,
      {
        account: row.account,
        allowAiEditsByOthers: Boolean(row.allow_ai_edits_by_others),
        allowAiEditsBySelf: Boolean(row.allow_ai_edits_by_self),
        updatedAt: row.updated_at,
      },
    ]),
  );
}

export async function upsertConsent(db: Db, account: string, settings: ConsentSettings, at: string): Promise<void> {
  // 1/0 binds on SQLite and PostgreSQL parses them as booleans.
  const values = {
    allow_ai_edits_by_others: settings.allowAiEditsByOthers ? 1 : 0,
    allow_ai_edits_by_self: settings.allowAiEditsBySelf ? 1 : 0,
    updated_at: at,
  };
  await db
    .insertInto('consent_settings')
    .values({ account, ...values })
    .onConflict((oc) => oc.column('account').doUpdateSet(values))
    .execute();
}

/**
 * Sets only the given settings in one statement: a new row takes the defaults for the rest, an
 * existing row keeps them. Concurrent changes of different settings therefore never undo each
 * other (a read-merge-write would, on PostgreSQL's read committed).
 */
export async function patchConsent(db: Db, account: string, changes: Partial<ConsentSettings>, at: string): Promise<void> {
  const merged: ConsentSettings = {
    allowAiEditsByOthers: changes.allowAiEditsByOthers ?? DEFAULT_CONSENT.allowAiEditsByOthers,
    allowAiEditsBySelf: changes.allowAiEditsBySelf ?? DEFAULT_CONSENT.allowAiEditsBySelf,
  };
  const changed: { allow_ai_edits_by_others?: number; allow_ai_edits_by_self?: number; updated_at: string } = { updated_at: at };
  if (changes.allowAiEditsByOthers !== undefined) changed.allow_ai_edits_by_others = changes.allowAiEditsByOthers ? 1 : 0;
  if (changes.allowAiEditsBySelf !== undefined) changed.allow_ai_edits_by_self = changes.allowAiEditsBySelf ? 1 : 0;
  await db
    .insertInto('consent_settings')
    .values({
      account,
      allow_ai_edits_by_others: merged.allowAiEditsByOthers ? 1 : 0,
      allow_ai_edits_by_self: merged.allowAiEditsBySelf ? 1 : 0,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('account').doUpdateSet(changed))
    .execute();
}

export async function deleteConsent(db: Db, account: string): Promise<boolean> {
  const result = await db.deleteFrom('consent_settings').where('account', '=', account).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertProtectedHashes(
  db: Db,
  account: string,
  hashes: Array<{ pdq: string; quality: number; sha256: string | null }>,
  at: string,
): Promise<number[]> {
  const ids: number[] = [];
  // 100 rows of 5 values per statement: under both databases' parameter limits.
  for (let i = 0; i < hashes.length; i += 100) {
    const rows = await db
      .insertInto('protected_hashes')
      .values(hashes.slice(i, i + 100).map((hash) => ({ account, pdq: hash.pdq, quality: hash.quality, sha256: hash.sha256, created_at: at })))
      .onConflict((oc) => oc.columns(['account', 'pdq']).doNothing())
      .returning('id')
      .execute();
    for (const row of rows) ids.push(Number(row.id));
  }
  return ids;
}

export async function countProtectedHashes(db: Db, account: string): Promise<number> {
  const row = await db
    .selectFrom('protected_hashes')
    .select(sql<number>`count(*)`.as('n'))
    .where('account', '=', account)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Which of `pdqs` the account has already protected. */
export async function findProtectedPdqs(db: Db, account: string, pdqs: string[]): Promise<Set<string>> {
  const rows = await inChunks(pdqs, (chunk) =>
    db.selectFrom('protected_hashes').select('pdq').where('account', '=', account).where('pdq', 'in', chunk).execute(),
  );
  return new Set(rows.map((row) => row.pdq));
}

/**
 * Serialises, until commit, transactions that add protected hashes to one account, so two
 * concurrent batches cannot both pass the per-account cap on PostgreSQL's read committed
 * (each would count the rows without the other's). SQLite's write lock already serialises
 * them. Take it before anything else in the transaction (before the audit append), the one
 * order that cannot deadlock with the audit and index locks.
 */
export async function lockAccountProtectedHashes(trx: Db, dialect: DialectName, account: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7357003, hashtext(${account}))`.execute(trx);
}

export async function listProtectedHashes(db: Db, account: string): Promise<ProtectedHashRow[]> {
  const rows = await db.selectFrom('protected_hashes').selectAll().where('account', '=', account).orderBy('id').execute();
  return rows.map(toProtected);
}

export async function findProtectedHashesByIds(db: Db, ids: number[]): Promise<ProtectedHashRow[]> {
  return (await inChunks(ids, (chunk) => db.selectFrom('protected_hashes').selectAll().where('id', 'in', chunk).execute())).map(toProtected);
}

export async function findProtectedHashesBySha256(db: Db, sha256: string[]): Promise<ProtectedHashRow[]> {
  return (await inChunks(sha256, (chunk) => db.selectFrom('protected_hashes').selectAll().where('sha256', 'in', chunk).execute())).map(toProtected);
}

/** Deletes an account's protected hashes (all, or the one with `pdq`) and returns the deleted row ids. */
export async function deleteProtectedHashes(db: Db, account: string, pdq?: string): Promise<number[]> {
  let query = db.deleteFrom('protected_hashes').where('account', '=', account);
  if (pdq !== undefined) query = query.where('pdq', '=', pdq);
  const rows = await query.returning('id').execute();
  return rows.map((row) => Number(row.id));
}

function toProtected(row: Selectable<ProtectedHashTable>): ProtectedHashRow {
  return { id: Number(row.id), account: row.account, pdq: row.pdq, quality: row.quality, sha256: row.sha256, createdAt: row.created_at };
}
