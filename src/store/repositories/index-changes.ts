import { sql } from 'kysely';

import type { Db } from '../db.js';

export type IndexName = 'protected' | 'bank';
/** `upsert`/`delete` name one hash row; `reload` names a whole bank (bulk import, activation). */
export type IndexOp = 'upsert' | 'delete' | 'reload';

export interface IndexChange {
  seq: number;
  indexName: IndexName;
  op: IndexOp;
  rowId: number;
}

export async function recordIndexChanges(db: Db, changes: Array<Omit<IndexChange, 'seq'>>, at: string): Promise<void> {
  for (let i = 0; i < changes.length; i += 200) {
    await db
      .insertInto('index_changes')
      .values(changes.slice(i, i + 200).map((c) => ({ index_name: c.indexName, op: c.op, row_id: c.rowId, changed_at: at })))
      .execute();
  }
}

export async function listIndexChanges(db: Db, afterSeq: number, limit = 10_000): Promise<IndexChange[]> {
  const rows = await db.selectFrom('index_changes').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  return rows.map((row) => ({ seq: Number(row.seq), indexName: row.index_name as IndexName, op: row.op as IndexOp, rowId: Number(row.row_id) }));
}

export async function lastIndexChange(db: Db): Promise<number> {
  const row = await db
    .selectFrom('index_changes')
    .select(sql<number | null>`max(seq)`.as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Serialises writers of indexed tables on PostgreSQL (held until commit), so change rows become
 * visible in `seq` order and a reader that remembers the last seq it saw never skips one.
 * SQLite's write lock already serialises writers.
 */
export async function lockIndexChanges(trx: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7357002)`.execute(trx);
}
