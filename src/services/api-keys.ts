import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { sql } from 'kysely';

import { PerisaiError } from '../domain/errors.js';
import { type ApiKeyRecord, countActiveApiKeys, findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey } from '../store/repositories/api-keys.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

/** What a key may do. `admin` implies every other scope. */
export const SCOPES = ['screen', 'images', 'decisions:read', 'consent', 'banks', 'reports', 'cases', 'enforcement', 'audit', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface CreatedKey {
  record: ApiKeyRecord;
  /** Shown once; only its SHA-256 is stored. */
  secret: string;
}

/**
 * How long an authentication result is trusted. A revocation must stop a key on every instance
 * within a second; instances share only the database, so the bound is this TTL (plus one query).
 * Under 1 s still saves all but one query per key per 750 ms under load.
 */
export const KEY_CACHE_TTL_MS = 750;

export class ApiKeyService {
  // Authenticating every request against the database would cost a query per request; a short
  // cache keeps throughput while a revocation still takes effect within a second everywhere.
  private readonly cache = new Map<string, { key: ApiKeyRecord | undefined; until: number }>();

  constructor(private readonly uow: UnitOfWork) {}

  async create(name: string, scopes: Scope[], actor: string, secret?: string, outer?: Tx): Promise<CreatedKey> {
    return this.uow.run((tx) => this.insert(tx, name, scopes, actor, secret), outer);
  }

  private async insert(tx: Tx, name: string, scopes: Scope[], actor: string, secret?: string): Promise<CreatedKey> {
    const invalid = scopes.filter((scope) => !SCOPES.includes(scope));
    if (invalid.length > 0 || scopes.length === 0) {
      throw new PerisaiError('invalid_scopes', `Unknown or missing scopes ${invalid.join(', ')}: choose from ${SCOPES.join(', ')}.`);
    }
    const value = secret ?? `psk_${randomBytes(24).toString('base64url')}`;
    if (value.length < 16) throw new PerisaiError('weak_key', 'An API key must be at least 16 characters long.');
    const record: ApiKeyRecord = { id: `key_${randomUUID().slice(0, 8)}`, name, scopes, createdAt: tx.at, revokedAt: null };
    await insertApiKey(tx.db, { ...record, keyHash: hashSecret(value) });
    await tx.audit([{ kind: 'api_key_created', subject: record.id, actor, payload: { name, scopes } }]);
    return { record, secret: value };
  }

  /**
   * Makes sure an admin key exists: `secret` (from PERISAI_ADMIN_KEY) is registered if new;
   * otherwise a key is created only when no active key exists. Returns a key only when one was created.
   */
  async ensureAdminKey(secret: string | undefined): Promise<CreatedKey | undefined> {
    // Several instances may start at once on one database: decide and insert under one lock.
    return this.uow.run(async (tx) => {
      if (tx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7357003)`.execute(tx.db);
      if (secret !== undefined) {
        if (await findApiKeyByHash(tx.db, hashSecret(secret))) return undefined;
        return this.insert(tx, 'admin (PERISAI_ADMIN_KEY)', ['admin'], 'system', secret);
      }
      if ((await countActiveApiKeys(tx.db)) > 0) return undefined;
      return this.insert(tx, 'admin (created on first start)', ['admin'], 'system');
    });
  }

  async authenticate(secret: string): Promise<ApiKeyRecord | undefined> {
    const hash = hashSecret(secret);
    const cached = this.cache.get(hash);
    const now = this.uow.clock.now().getTime();
    if (cached && cached.until > now) return cached.key;
    const found = await findApiKeyByHash(this.uow.db, hash);
    const key = found && found.revokedAt === null ? found : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { key, until: now + KEY_CACHE_TTL_MS });
    return key;
  }

  list(): Promise<ApiKeyRecord[]> {
    return listApiKeys(this.uow.db);
  }

  async revoke(id: string, actor: string, outer?: Tx): Promise<void> {
    const revoked = await this.uow.run(async (tx) => {
      const done = await revokeApiKey(tx.db, id, tx.at);
      if (done) await tx.audit([{ kind: 'api_key_revoked', subject: id, actor, payload: {} }]);
      return done;
    }, outer);
    if (!revoked) throw new PerisaiError('not_found', `No active API key has the id ${id}: list keys with \`perisai keys list\`.`);
    this.cache.clear();
  }
}

export function hasScope(key: ApiKeyRecord, scope: Scope): boolean {
  return key.scopes.includes('admin') || key.scopes.includes(scope);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export type { ApiKeyRecord };
