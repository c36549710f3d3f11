import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { transparencyCsv } from '../../domain/transparency.js';
import { parseInput } from '../../services/parse-input.js';
import { transparencyQuerySchema } from '../../services/transparency.js';
import { requireScope } from '../auth.js';

/** Transparency figures for a period (scope `reports`, the scope of a platform's own intake and of regulators). */
export function transparencyRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/transparency', { onRequest: requireScope(ctx.apiKeys, 'reports') }, async (request, reply) => {
      const { format, ...period } = parseInput(transparencyQuerySchema, request.query, 'query');
      const report = await ctx.transparency.report(period);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(transparencyCsv(report));
      return report;
    });
  };
}
