import { randomUUID } from 'node:crypto';

import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { decisionView } from '../../services/decision-view.js';
import { moderationRequestSchema } from '../../services/moderation.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';
import { BODY_LIMITS } from '../limits.js';
import { useOpenAiErrors } from '../openai/errors.js';

/**
 * OpenAI-compatible moderation (scope `screen`): OpenAI's request and response, so its SDKs work
 * unchanged, with Perisai's own decision beside each result under `perisai`.
 */
export function moderationRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    useOpenAiErrors(app);
    const onRequest = requireScope(ctx.apiKeys, 'screen');

    app.post('/v1/moderations', { onRequest, bodyLimit: BODY_LIMITS.screenRequest }, async (request) => {
      const input = parseInput(moderationRequestSchema, request.body, 'body');
      const outcomes = await ctx.moderation.moderate(input, request.apiKey?.id ?? 'unknown');
      return {
        id: `modr_${randomUUID().replaceAll('-', '')}`,
        model: `perisai:${ctx.policy.version}`,
        results: outcomes.map(({ record, result }) => {
          const view = decisionView(record);
          return { ...result, perisai: { decision_id: view.id, decision: view.decision, categories: view.categories, reasons: view.reasons } };
        }),
      };
    });
  };
}
