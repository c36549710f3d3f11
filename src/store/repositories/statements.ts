import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { StatementOfReasonsTable } from '../schema.js';

export type StatementRow = Selectable<StatementOfReasonsTable>;

export async function insertStatements(db: Db, rows: StatementRow[]): Promise<void> {
  // Nine columns a row: 50 rows stay far under both databases' bound-parameter limits.
  for (let i = 0; i < rows.length; i += 50) {
    await db
      .insertInto('statements_of_reasons')
      .values(rows.slice(i, i + 50))
      .execute();
  }
}

export async function statementsOf(db: Db, source: string, subject: string): Promise<StatementRow[]> {
  return db
    .selectFrom('statements_of_reasons')
    .selectAll()
    .where('source', '=', source)
    .where('subject', '=', subject)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findStatement(db: Db, id: string): Promise<StatementRow | undefined> {
  return db.selectFrom('statements_of_reasons').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One page of the statements made in [from, to), oldest first, after the keyset (created_at, id). */
export async function statementsBetween(
  db: Db,
  period: { from: string; to: string },
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<StatementRow[]> {
  let query = db.selectFrom('statements_of_reasons').selectAll().where('created_at', '>=', period.from).where('created_at', '<', period.to);
  if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
  return query.orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** Statement counts of a period by jurisdiction, category, restriction and automation. */
export async function countStatements(
  db: Db,
  period: { from: string; to: string },
): Promise<Array<{ jurisdiction: string; category: string; restriction: string; automated: number; count: number }>> {
  const rows = await db
    .selectFrom('statements_of_reasons')
    .select(['jurisdiction', 'category', 'restriction', 'automated'])
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('created_at', '>=', period.from)
    .where('created_at', '<', period.to)
    .groupBy(['jurisdiction', 'category', 'restriction', 'automated'])
    .execute();
  return rows.map((row) => ({ ...row, automated: Number(row.automated), count: Number(row.count) }));
}
