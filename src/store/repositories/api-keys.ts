import { sql } from 'kysely';

import type { Db } from '../db.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

export async function insertApiKey(db: Db, key: ApiKeyRecord & { keyHash: string }): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({ id: key.id, name: key.name, key_hash: key.keyHash, scopes: key.scopes.join(' '), created_at: key.createdAt, revoked_at: key.revokedAt })
    .execute();
}

export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  return row ? { id: row.id, name: row.name, scopes: row.scopes.split(' ').filter(Boolean), createdAt: row.created_at, revokedAt: row.revoked_at } : undefined;
}

export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(' ').filter(Boolean),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

export async function countActiveApiKeys(db: Db): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select(sql<number>`count(*)`.as('n'))
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function revokeApiKey(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
