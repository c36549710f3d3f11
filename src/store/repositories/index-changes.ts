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

/** The seq a reader that is up to date has seen: the last change, or the pruning horizon when every change was pruned. */
export async function lastIndexChange(db: Db): Promise<number> {
  const row = await db
    .selectFrom('index_changes')
    .select(sql<number | null>`max(seq)`.as('seq'))
    .executeTakeFirst();
  return Math.max(Number(row?.seq ?? 0), await prunedThrough(db));
}

/** The highest seq pruning has deleted; a reader whose last seen seq is below it missed changes. */
export async function prunedThrough(db: Db): Promise<number> {
  const row = await db.selectFrom('index_changes_horizon').select('pruned_through').where('id', '=', 1).executeTakeFirst();
  return Number(row?.pruned_through ?? 0);
}

/**
 * Deletes the changes recorded before `before` and raises the horizon to the last seq deleted,
 * in one transaction (the caller's), so no reader can see the rows gone and the horizon not yet
 * moved. Returns how many rows went.
 */
export async function pruneIndexChanges(trx: Db, before: string): Promise<number> {
  const row = await trx
    .selectFrom('index_changes')
    .select(sql<number | null>`max(seq)`.as('seq'))
    .where('changed_at', '<', before)
    .executeTakeFirst();
  const through = row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
  if (through === undefined) return 0;
  const deleted = await trx.deleteFrom('index_changes').where('seq', '<=', through).executeTakeFirst();
  await trx.updateTable('index_changes_horizon').set({ pruned_through: through }).where('id', '=', 1).where('pruned_through', '<', through).execute();
  return Number(deleted.numDeletedRows);
}

/**
 * Serialises writers of indexed tables on PostgreSQL (held until commit), so change rows become
 * visible in `seq` order and a reader that remembers the last seq it saw never skips one.
 * SQLite's write lock already serialises writers.
 */
export async function lockIndexChanges(trx: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7357002)`.execute(trx);
}
