import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { accountParam, consentPatchSchema, consentSettingsSchema, pdqHex, protectedHashesSchema } from '../../services/consent.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';

const accountParams = z.object({ account: accountParam });
const hashParams = z.object({ account: accountParam, pdq: pdqHex });

/** Per-account consent, managed by the platform on behalf of its users (scope `consent`). */
export function consentRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const auth = { onRequest: requireScope(ctx.apiKeys, 'consent') };
    const actor = (request: { apiKey: { id: string } | null }) => request.apiKey?.id ?? 'unknown';

    app.get('/v1/consent/:account', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      return ctx.consent.get(account);
    });

    app.put('/v1/consent/:account', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      const body = parseInput(consentSettingsSchema, request.body, 'body');
      return ctx.consent.put(account, { allowAiEditsByOthers: body.allow_ai_edits_by_others, allowAiEditsBySelf: body.allow_ai_edits_by_self }, actor(request));
    });

    app.patch('/v1/consent/:account', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      const body = parseInput(consentPatchSchema, request.body, 'body');
      return ctx.consent.patch(
        account,
        { allowAiEditsByOthers: body.allow_ai_edits_by_others, allowAiEditsBySelf: body.allow_ai_edits_by_self },
        actor(request),
      );
    });

    app.delete('/v1/consent/:account', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      const erased = await ctx.consent.erase(account, actor(request));
      return { account, erased, now: await ctx.consent.get(account) };
    });

    app.post('/v1/consent/:account/protected-hashes', auth, async (request, reply) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      const body = parseInput(protectedHashesSchema, request.body, 'body');
      const result = await ctx.consent.addProtectedHashes(account, body.hashes, actor(request));
      return reply.code(result.added > 0 ? 201 : 200).send({ account, ...result });
    });

    app.get('/v1/consent/:account/protected-hashes', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      const rows = await ctx.consent.listProtectedHashes(account);
      return { account, hashes: rows.map((row) => ({ pdq: row.pdq, quality: row.quality, sha256: row.sha256, created_at: row.createdAt })) };
    });

    app.delete('/v1/consent/:account/protected-hashes', auth, async (request) => {
      const { account } = parseInput(accountParams, request.params, 'path');
      return { account, deleted: await ctx.consent.deleteProtectedHashes(account, actor(request)) };
    });

    app.delete('/v1/consent/:account/protected-hashes/:pdq', auth, async (request) => {
      const { account, pdq } = parseInput(hashParams, request.params, 'path');
      return { account, deleted: await ctx.consent.deleteProtectedHashes(account, actor(request), pdq) };
    });
  };
}
