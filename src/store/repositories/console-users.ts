import type { Selectable } from 'kysely';

import type { Db } from '../db.js';
import type { ConsoleSessionTable, ConsoleUserTable } from '../schema.js';

export type ConsoleUserRow = Selectable<ConsoleUserTable>;
export type ConsoleSessionRow = Selectable<ConsoleSessionTable>;

export async function insertConsoleUser(db: Db, row: ConsoleUserRow): Promise<void> {
  await db.insertInto('console_users').values(row).execute();
}

export async function findConsoleUserByEmail(db: Db, email: string): Promise<ConsoleUserRow | undefined> {
  return db.selectFrom('console_users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findConsoleUser(db: Db, id: string): Promise<ConsoleUserRow | undefined> {
  return db.selectFrom('console_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listConsoleUsers(db: Db): Promise<ConsoleUserRow[]> {
  return db.selectFrom('console_users').selectAll().orderBy('email').execute();
}

export async function updateConsoleUser(db: Db, id: string, changes: Partial<Omit<ConsoleUserRow, 'id'>>): Promise<void> {
  await db.updateTable('console_users').set(changes).where('id', '=', id).execute();
}

/**
 * Counts one failed sign-in in the database itself (`failed_attempts + 1`), so two instances
 * failing at once both count; returns the new count.
 */
export async function countFailedAttempt(db: Db, id: string, at: string): Promise<number> {
  const row = await db
    .updateTable('console_users')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .returning('failed_attempts')
    .executeTakeFirstOrThrow();
  return Number(row.failed_attempts);
}

export async function insertConsoleSession(db: Db, row: ConsoleSessionRow): Promise<void> {
  await db.insertInto('console_sessions').values(row).execute();
}

export async function findConsoleSession(db: Db, idHash: string): Promise<(ConsoleSessionRow & { user: ConsoleUserRow }) | undefined> {
  const session = await db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!session) return undefined;
  const user = await findConsoleUser(db, session.user_id);
  return user ? { ...session, user } : undefined;
}

export async function touchConsoleSession(db: Db, idHash: string, at: string): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function deleteConsoleSession(db: Db, idHash: string): Promise<boolean> {
  const result = await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('console_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes a user's sessions that ended (past their lifetime, or idle since `idleSince`). */
export async function deleteEndedSessions(db: Db, userId: string, now: string, idleSince: string): Promise<void> {
  await db
    .deleteFrom('console_sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
    .execute();
}
