import { type Selectable, sql } from 'kysely';

import type { Db } from '../db.js';
import type { BankHashTable, BankTable } from '../schema.js';
import { inChunks } from './chunked.js';
import { keysetPages } from './keyset.js';

export interface BankRow {
  id: number;
  name: string;
  purpose: string;
  description: string | null;
  active: boolean;
  minQuality: number;
  maxDistance: number;
  createdAt: string;
  createdBy: string;
}

export interface BankHashInput {
  pdq: string;
  quality: number;
  sha256?: string | null;
  label?: string | null;
  source?: string | null;
  category?: string | null;
  reason?: string | null;
}

export interface BankHashRow {
  id: number;
  pdq: string;
  quality: number;
  sha256: string | null;
  label: string | null;
  source: string | null;
  category: string | null;
  reason: string | null;
  bankId: number;
  addedAt: string;
  addedBy: string;
}

export async function insertBank(db: Db, bank: Omit<BankRow, 'id'>): Promise<number> {
  const row = await db
    .insertInto('banks')
    .values({
      name: bank.name,
      purpose: bank.purpose,
      description: bank.description,
      active: bank.active ? 1 : 0,
      min_quality: bank.minQuality,
      max_distance: bank.maxDistance,
      created_at: bank.createdAt,
      created_by: bank.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Every column of a bank: selected and grouped by alike when counting its hashes. */
const BANK_COLUMNS = [
  'banks.id',
  'banks.name',
  'banks.purpose',
  'banks.description',
  'banks.active',
  'banks.min_quality',
  'banks.max_distance',
  'banks.created_at',
  'banks.created_by',
] as const;

export async function listBanks(db: Db): Promise<Array<BankRow & { hashes: number }>> {
  const rows = await db
    .selectFrom('banks')
    .leftJoin('bank_hashes', 'bank_hashes.bank_id', 'banks.id')
    .select([...BANK_COLUMNS, sql<number>`count(bank_hashes.id)`.as('hashes')])
    .groupBy([...BANK_COLUMNS])
    .orderBy('banks.name')
    .execute();
  return rows.map((row) => ({ ...toBank(row), hashes: Number(row.hashes) }));
}

export async function findBankByName(db: Db, name: string): Promise<BankRow | undefined> {
  const row = await db.selectFrom('banks').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toBank(row);
}

export async function findBanksByIds(db: Db, ids: number[]): Promise<BankRow[]> {
  return (await inChunks(ids, (chunk) => db.selectFrom('banks').selectAll().where('id', 'in', chunk).execute())).map(toBank);
}

export async function setBankActive(db: Db, id: number, active: boolean): Promise<void> {
  await db
    .updateTable('banks')
    .set({ active: active ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}

export async function deleteBank(db: Db, id: number): Promise<void> {
  await db.deleteFrom('bank_hashes').where('bank_id', '=', id).execute();
  await db.deleteFrom('banks').where('id', '=', id).execute();
}

/** Inserts hashes, skipping those the bank already holds (re-import is idempotent). Returns the new row ids. */
export async function insertBankHashes(db: Db, bankId: number, hashes: BankHashInput[], at: string, by: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < hashes.length; i += 100) {
    const rows = await db
      .insertInto('bank_hashes')
      .values(
        hashes.slice(i, i + 100).map((h) => ({
          bank_id: bankId,
          pdq: h.pdq,
          quality: h.quality,
          sha256: h.sha256 ?? null,
          label: h.label ?? null,
          source: h.source ?? null,
          category: h.category ?? null,
          reason: h.reason ?? null,
          added_at: at,
          added_by: by,
        })),
      )
      .onConflict((oc) => oc.columns(['bank_id', 'pdq']).doNothing())
      .returning('id')
      .execute();
    for (const row of rows) ids.push(Number(row.id));
  }
  return ids;
}

export async function deleteBankHash(db: Db, bankId: number, pdq: string): Promise<number | undefined> {
  const row = await db.deleteFrom('bank_hashes').where('bank_id', '=', bankId).where('pdq', '=', pdq).returning('id').executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** Streams a bank's hashes in id order, a page at a time, so an export of millions stays in bounded memory. */
export async function* iterateBankHashes(db: Db, bankId: number, pageSize = 5000): AsyncGenerator<BankHashRow> {
  const rows = keysetPages(
    (after) => db.selectFrom('bank_hashes').selectAll().where('bank_id', '=', bankId).where('id', '>', after).orderBy('id').limit(pageSize).execute(),
    (row) => Number(row.id),
  );
  for await (const row of rows) yield toBankHash(row);
}

/** All hashes of active banks, for building the in-memory index: id, bank and hex only. */
export async function* iterateActiveBankHashes(db: Db, pageSize = 20_000, bankId?: number): AsyncGenerator<{ id: number; bankId: number; pdq: string }> {
  const rows = keysetPages(
    (after) => {
      let query = db
        .selectFrom('bank_hashes')
        .innerJoin('banks', 'banks.id', 'bank_hashes.bank_id')
        .select(['bank_hashes.id', 'bank_hashes.bank_id', 'bank_hashes.pdq'])
        .where('banks.active', '=', sql<boolean>`${1}`)
        .where('bank_hashes.id', '>', after)
        .orderBy('bank_hashes.id')
        .limit(pageSize);
      if (bankId !== undefined) query = query.where('bank_hashes.bank_id', '=', bankId);
      return query.execute();
    },
    (row) => Number(row.id),
  );
  for await (const row of rows) yield { id: Number(row.id), bankId: Number(row.bank_id), pdq: row.pdq };
}

/**
 * One bank's hashes when it is active (none when not), for reloading it into the index. Paged
 * by hash along the (bank_id, pdq) unique index, so each page reads only its own rows: paging
 * one bank by id made SQLite read and sort every row of the bank again for each page, which
 * at 200,000 hashes held the process up for 60 ms a page.
 */
export async function* iterateActiveBankHashesOf(db: Db, bankId: number, pageSize = 5000): AsyncGenerator<{ id: number; bankId: number; pdq: string }> {
  const bank = await db.selectFrom('banks').select('active').where('id', '=', bankId).executeTakeFirst();
  if (!bank?.active) return;
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('bank_hashes')
      .select(['id', 'pdq'])
      .where('bank_id', '=', bankId)
      .where('pdq', '>', after)
      .orderBy('bank_id')
      .orderBy('pdq')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    for (const row of rows) yield { id: Number(row.id), bankId, pdq: row.pdq };
    after = rows[rows.length - 1]!.pdq;
  }
}

export async function findBankHashesBySha256(db: Db, sha256: string[]): Promise<BankHashRow[]> {
  return (await inChunks(sha256, (chunk) => db.selectFrom('bank_hashes').selectAll().where('sha256', 'in', chunk).execute())).map(toBankHash);
}

function toBank(row: Selectable<BankTable>): BankRow {
  return {
    id: Number(row.id),
    name: row.name,
    purpose: row.purpose,
    description: row.description,
    active: Boolean(row.active),
    minQuality: row.min_quality,
    maxDistance: row.max_distance,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function toBankHash(row: Selectable<BankHashTable>): BankHashRow {
  return {
    id: Number(row.id),
    bankId: Number(row.bank_id),
    pdq: row.pdq,
    quality: row.quality,
    sha256: row.sha256,
    label: row.label,
    source: row.source,
    category: row.category,
    reason: row.reason,
    addedAt: row.added_at,
    addedBy: row.added_by,
  };
}
