import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { decisionView } from '../../services/decision-view.js';
import { ledgerLookupSchema } from '../../services/ledger.js';
import { screenOutputSchema } from '../../services/screen-request.js';
import { requireScope } from '../auth.js';
import type { ScreeningMetrics } from '../metrics.js';
import { parseInput } from '../../services/parse-input.js';

export function outputRoutes(app: FastifyInstance, ctx: AppContext, metrics: ScreeningMetrics): void {
  app.post('/v1/screen/output', { preHandler: requireScope(ctx.apiKeys, 'screen') }, async (request) => {
    const input = parseInput(screenOutputSchema, request.body, 'body');
    return decisionView(await metrics.timed(() => ctx.screening.screenOutput(input, request.apiKey?.id ?? 'unknown')));
  });

  app.post('/v1/ledger/lookup', { preHandler: requireScope(ctx.apiKeys, 'decisions:read') }, async (request) => {
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
}
