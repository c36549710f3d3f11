import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { decisionIdParam, decisionView } from '../../services/decision-view.js';
import { ledgerLookupSchema } from '../../services/ledger.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';

const paramsSchema = z.object({ id: decisionIdParam });

/** Reading what was decided (scope `decisions:read`): one decision by id, or the ledger by image. */
export function decisionRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const onRequest = requireScope(ctx.apiKeys, 'decisions:read');

    app.get('/v1/decisions/:id', { onRequest }, async (request) => {
      const { id } = parseInput(paramsSchema, request.params, 'path');
      const record = await ctx.screening.decision(id);
      if (!record) throw new PerisaiError('not_found', `No decision has the id ${id}: check the id returned by POST /v1/screen.`);
      return decisionView(record);
    });

    app.post('/v1/ledger/lookup', { onRequest }, async (request) => {
      const query = parseInput(ledgerLookupSchema, request.body, 'body');
      const matches = await ctx.ledger.lookup(query);
      return {
        matches: matches.map((m) => ({
          distance: m.distance,
          decision_id: m.decisionId,
          request_id: m.requestId,
          requester_id: m.requesterId,
          decision: m.decision,
          pdq: m.pdq,
          quality: m.quality,
          sha256: m.sha256,
          created_at: m.createdAt,
        })),
      };
    });
  };
}
