import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { ScreeningMetrics } from '../metrics.js';

export function healthRoutes(app: FastifyInstance, ctx: AppContext, metrics: ScreeningMetrics): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Ready means: the store answers and a policy is loaded. A load balancer stops routing here otherwise.
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.store.db);
      return { status: 'ready', store: ctx.store.dialect, policy_version: ctx.policy.version };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', message: `The store does not answer: ${(error as Error).message}` });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
