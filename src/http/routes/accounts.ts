import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { accountIdParam, reinstateBodySchema, suspendBodySchema } from '../../services/accounts.js';
import { appealBodySchema } from '../../services/appeals.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';
import { BODY_LIMITS } from '../limits.js';

const accountParams = z.object({ id: accountIdParam });

/**
 * An account's standing, strikes and suspensions; suspension and reinstatement (scope
 * `enforcement`). Appeals (scope `reports`): the platform relays them for its users, as it
 * relays their reports; an appeal case is then decided through the case actions (scope `cases`).
 */
export function accountRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const auth = { onRequest: requireScope(ctx.apiKeys, 'enforcement'), bodyLimit: BODY_LIMITS.json };
    const actor = (request: { apiKey: { id: string } | null }) => request.apiKey?.id ?? 'unknown';

    app.get('/v1/accounts/:id', auth, async (request) => {
      const { id } = parseInput(accountParams, request.params, 'path');
      return ctx.accounts.get(id);
    });

    app.post('/v1/accounts/:id/suspend', auth, async (request) => {
      const { id } = parseInput(accountParams, request.params, 'path');
      return ctx.accounts.suspend(id, parseInput(suspendBodySchema, request.body, 'body'), actor(request));
    });

    app.post('/v1/accounts/:id/reinstate', auth, async (request) => {
      const { id } = parseInput(accountParams, request.params, 'path');
      return ctx.accounts.reinstate(id, parseInput(reinstateBodySchema, request.body, 'body').reason, actor(request));
    });

    const reports = { onRequest: requireScope(ctx.apiKeys, 'reports'), bodyLimit: BODY_LIMITS.json };
    app.post('/v1/appeals', reports, async (request, reply) => {
      const receipt = await ctx.appeals.open(parseInput(appealBodySchema, request.body, 'body'), actor(request));
      return reply.code(201).send(receipt);
    });
  };
}
