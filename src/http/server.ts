import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { SCREEN_LIMITS } from '../services/screen-request.js';
import { toHttpError } from './errors.js';
import { ScreeningMetrics } from './metrics.js';
import { docsPage, openApiDocument } from './openapi.js';
import { bankRoutes } from './routes/banks.js';
import { consentRoutes } from './routes/consent.js';
import { decisionRoutes } from './routes/decisions.js';
import { healthRoutes } from './routes/health.js';
import { outputRoutes } from './routes/output.js';
import { screenRoutes } from './routes/screen.js';

export const PACKAGE_VERSION = '0.1.0';

/** Enough for the maximum number of images at the maximum size, base64-encoded, plus the prompt. */
export const BODY_LIMIT = Math.ceil((SCREEN_LIMITS.images * SCREEN_LIMITS.imageBytes * 4) / 3) + 64 * 1024;

export interface ServerOptions {
  /** A pino logger; none means silent (tests). */
  logger?: FastifyBaseLogger;
}

export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // Requests are logged by the decision log and metrics; per-request access logs would dominate the cost.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const metrics = new ScreeningMetrics();
  metrics.watchJobs(() => ctx.jobs.counts());
  app.decorateRequest('apiKey', null);

  app.setErrorHandler((error, request, reply) => {
    const response = toHttpError(error);
    if (response.status >= 500) request.log.error({ err: error }, 'request failed');
    if (response.headers) void reply.headers(response.headers);
    return reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]}: see /docs for the API.` }),
  );

  const doc = openApiDocument(PACKAGE_VERSION);
  app.get('/openapi.json', async () => doc);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(doc)));
  app.get('/', async (_request, reply) => reply.redirect('/docs'));

  healthRoutes(app, ctx, metrics);
  screenRoutes(app, ctx, metrics);
  decisionRoutes(app, ctx);
  consentRoutes(app, ctx);
  bankRoutes(app, ctx);
  outputRoutes(app, ctx, metrics);
  await app.ready();
  return app;
}
