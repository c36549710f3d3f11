import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { LedgerTable } from '../schema.js';
import { inChunks } from './chunked.js';
import { keysetPages } from './keyset.js';

export interface LedgerEntry {
  id: number;
  decisionId: string;
  requestId: string;
  requesterId: string | null;
  pdq: string | null;
  quality: number | null;
  sha256: string;
  decision: string;
  createdAt: string;
}

export async function insertLedgerEntries(db: Db, entries: Array<Omit<LedgerEntry, 'id'>>): Promise<number[]> {
  if (entries.length === 0) return [];
  const rows = await db
    .insertInto('generation_ledger')
    .values(
      entries.map((e) => ({
        decision_id: e.decisionId,
        request_id: e.requestId,
        requester_id: e.requesterId,
        pdq: e.pdq,
        quality: e.quality,
        sha256: e.sha256,
        decision: e.decision,
        created_at: e.createdAt,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((row) => Number(row.id));
}

export async function findLedgerByIds(db: Db, ids: number[]): Promise<LedgerEntry[]> {
  // Sorted ids, each chunk in id order: the concatenation is in id order too.
  const sorted = [...ids].sort((a, b) => a - b);
  return (await inChunks(sorted, (chunk) => db.selectFrom('generation_ledger').selectAll().where('id', 'in', chunk).orderBy('id').execute())).map(toEntry);
}

export async function findLedgerBySha256(db: Db, sha256: string): Promise<LedgerEntry[]> {
  return (await db.selectFrom('generation_ledger').selectAll().where('sha256', '=', sha256).orderBy('id').execute()).map(toEntry);
}

/**
 * Ledger rows with a PDQ after `afterId`. The ledger is append-only and its rows are written in
 * the audit chain's transaction, which serialises writers, so ids become visible in order and
 * "after the last id seen" never skips a row.
 */
export async function* iterateLedgerHashes(db: Db, afterId = 0, pageSize = 20_000): AsyncGenerator<{ id: number; pdq: string }> {
  const rows = keysetPages(
    (after) =>
      db.selectFrom('generation_ledger').select(['id', 'pdq']).where('id', '>', after).where('pdq', 'is not', null).orderBy('id').limit(pageSize).execute(),
    (row) => Number(row.id),
    afterId,
  );
  for await (const row of rows) yield { id: Number(row.id), pdq: row.pdq! };
}

function toEntry(row: Selectable<LedgerTable>): LedgerEntry {
  return {
    id: Number(row.id),
    decisionId: row.decision_id,
    requestId: row.request_id,
    requesterId: row.requester_id,
    pdq: row.pdq,
    quality: row.quality,
    sha256: row.sha256,
    decision: row.decision,
    createdAt: row.created_at,
  };
}
