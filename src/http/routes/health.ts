import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { requireScope } from '../auth.js';
import type { ScreeningMetrics } from '../metrics.js';

/** Probes and metrics: no key, no body. */
export function healthRoutes(ctx: AppContext, metrics: ScreeningMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    // Ready means: the store answers and can write, and a policy is loaded. A load balancer stops routing here otherwise.
    app.get('/readyz', async (_request, reply) => {
      const health = await ctx.health.readiness();
      if (health.ready) return { status: 'ready', store: health.store, policy_version: health.policyVersion, image_models: health.imageModels };
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ status: 'unavailable', message: health.problem, store: health.store, image_models: health.imageModels });
    });

    // Public by default (a scraper on a private network); PERISAI_METRICS_KEY_REQUIRED=1 puts it behind scope `metrics`.
    const metricsAuth = ctx.config.metricsNeedKey ? { onRequest: requireScope(ctx.apiKeys, 'metrics') } : {};
    app.get('/metrics', metricsAuth, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
