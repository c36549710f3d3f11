import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { decisionView } from '../../services/decision-view.js';
import { parseInput } from '../../services/parse-input.js';
import { screenOutputSchema, screenRequestSchema } from '../../services/screen-request.js';
import { requireScope } from '../auth.js';
import { BODY_LIMITS } from '../limits.js';
import type { ScreeningMetrics } from '../metrics.js';

/** Screening before and after generation (scope `screen`): the only routes that take images. */
export function screenRoutes(ctx: AppContext, metrics: ScreeningMetrics): FastifyPluginAsync {
  return async (app) => {
    const onRequest = requireScope(ctx.apiKeys, 'screen');

    app.post('/v1/screen', { onRequest, bodyLimit: BODY_LIMITS.screenRequest }, async (request) => {
      const input = parseInput(screenRequestSchema, request.body, 'body');
      return decisionView(await metrics.timed(() => ctx.screening.screenRequest(input, request.apiKey?.id ?? 'unknown')));
    });

    app.post('/v1/screen/output', { onRequest, bodyLimit: BODY_LIMITS.screenOutput }, async (request) => {
      const input = parseInput(screenOutputSchema, request.body, 'body');
      return decisionView(await metrics.timed(() => ctx.screening.screenOutput(input, request.apiKey?.id ?? 'unknown')));
    });
  };
}
