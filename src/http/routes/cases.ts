import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { caseActionSchema, caseIdSchema, caseListQuerySchema } from '../../services/cases.js';
import { parseInput } from '../../services/parse-input.js';
import { reportBodySchema } from '../../services/reports.js';
import { optionalScope, requireScope } from '../auth.js';
import { BODY_LIMITS } from '../limits.js';

const caseParams = z.object({ id: caseIdSchema });

/**
 * Notice and takedown. `POST /v1/reports` is open to anyone (victims have no key), limited per
 * address; a key with scope `reports` marks the reporter as authenticated (a platform's own
 * intake, a trusted flagger, a regulator). The queue and its actions need scope `cases`.
 */
export function caseRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const cases = { onRequest: requireScope(ctx.apiKeys, 'cases'), bodyLimit: BODY_LIMITS.json };
    const actor = (request: { apiKey: { id: string } | null }) => request.apiKey?.id ?? 'public';

    app.post(
      '/v1/reports',
      {
        onRequest: optionalScope(ctx.apiKeys, 'reports'),
        bodyLimit: BODY_LIMITS.report,
        // Anyone may report, so an address without a key gets a far smaller allowance than a key.
        config: { rateLimit: { max: (request: { apiKey: unknown }) => (request.apiKey ? ctx.config.rateLimit : ctx.config.reportRateLimit) } },
      },
      async (request, reply) => {
        const body = parseInput(reportBodySchema, request.body, 'body');
        const receipt = await ctx.reports.submit(body, { authenticated: request.apiKey !== null, actor: actor(request) });
        return reply.code(201).send(receipt);
      },
    );

    app.get('/v1/cases', cases, async (request) => ctx.cases.list(parseInput(caseListQuerySchema, request.query, 'query')));

    app.get('/v1/cases/:id', cases, async (request) => {
      const { id } = parseInput(caseParams, request.params, 'path');
      return ctx.cases.get(id);
    });

    // The CyberTipline package of a case escalated to NCMEC, for a person to check and submit.
    app.get('/v1/cases/:id/escalation', cases, async (request) => {
      const { id } = parseInput(caseParams, request.params, 'path');
      await ctx.cases.get(id);
      return ctx.escalations.forCase(id);
    });

    app.post('/v1/cases/:id/actions', cases, async (request) => {
      const { id } = parseInput(caseParams, request.params, 'path');
      const input = parseInput(caseActionSchema, request.body, 'body');
      return ctx.cases.act(id, input, actor(request));
    });
  };
}
