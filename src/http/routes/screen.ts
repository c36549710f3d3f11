import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { decisionView } from '../../services/decision-view.js';
import { screenRequestSchema } from '../../services/screen-request.js';
import { requireScope } from '../auth.js';
import type { ScreeningMetrics } from '../metrics.js';
import { parseInput } from '../../services/parse-input.js';

export function screenRoutes(app: FastifyInstance, ctx: AppContext, metrics: ScreeningMetrics): void {
  app.post('/v1/screen', { preHandler: requireScope(ctx.apiKeys, 'screen') }, async (request) => {
    const input = parseInput(screenRequestSchema, request.body, 'body');
    return decisionView(await metrics.timed(() => ctx.screening.screenRequest(input, request.apiKey?.id ?? 'unknown')));
  });
}
