import type { FastifyReply, FastifyRequest } from 'fastify';

import { PerisaiError } from '../domain/errors.js';
import type { ApiKeyRecord } from '../services/api-keys.js';
import { type ApiKeyService, hasScope, type Scope } from '../services/api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

/** A pre-handler that admits requests bearing an active key with `scope` (or admin). */
export function requireScope(keys: ApiKeyService, scope: Scope) {
  return scopeCheck(keys, scope, true);
}

/**
 * For routes open to the public that a key can also use (victims report without one, a
 * platform or regulator with one): no header is anonymous; a header must hold a valid key with
 * `scope`, so a mistyped key is an error rather than a silent downgrade to anonymous.
 */
export function optionalScope(keys: ApiKeyService, scope: Scope) {
  return scopeCheck(keys, scope, false);
}

function scopeCheck(keys: ApiKeyService, scope: Scope, required: boolean) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    if (!required && header === undefined) {
      request.apiKey = null;
      return;
    }
    const secret = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!secret) {
      throw new PerisaiError('unauthorized', 'An API key is required: send the header "Authorization: Bearer <key>" (`perisai keys create` makes one).');
    }
    const key = await keys.authenticate(secret);
    if (!key) throw new PerisaiError('unauthorized', 'The API key is unknown or revoked: check it, or create a new one with `perisai keys create`.');
    if (!hasScope(key, scope)) {
      throw new PerisaiError('forbidden', `This API key (${key.id}) lacks the "${scope}" scope: use a key created with --scopes ${scope}.`);
    }
    request.apiKey = key;
  };
}
