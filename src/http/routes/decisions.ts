import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { decisionView } from '../../services/decision-view.js';
import { requireScope } from '../auth.js';
import { parseInput } from '../../services/parse-input.js';

const paramsSchema = z.object({ id: z.string().regex(/^dec_[0-9a-f]{32}$/, 'must be a decision id such as "dec_" followed by 32 hex digits') });

export function decisionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/v1/decisions/:id', { preHandler: requireScope(ctx.apiKeys, 'decisions:read') }, async (request) => {
    const { id } = parseInput(paramsSchema, request.params, 'path');
    const record = await ctx.screening.decision(id);
    if (!record) throw new PerisaiError('not_found', `No decision has the id ${id}: check the id returned by POST /v1/screen.`);
    return decisionView(record);
  });
}
