import { createServer } from 'node:http';

import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from 'fastify';

import type { AppContext } from '../app-context.js';
import { PACKAGE_VERSION } from '../version.js';
import { consoleRoutes } from './console/index.js';
import { registerEdge } from './edge.js';
import { toHttpError } from './errors.js';
import { BODY_LIMITS } from './limits.js';
import { ScreeningMetrics } from './metrics.js';
import { imageRoutes } from './openai/images.js';
import { docsPage, openApiDocument } from './openapi.js';
import { accountRoutes } from './routes/accounts.js';
import { auditRoutes } from './routes/audit.js';
import { bankRoutes } from './routes/banks.js';
import { caseRoutes } from './routes/cases.js';
import { consentRoutes } from './routes/consent.js';
import { decisionRoutes } from './routes/decisions.js';
import { healthRoutes } from './routes/health.js';
import { moderationRoutes } from './routes/moderations.js';
import { screenRoutes } from './routes/screen.js';
import { transparencyRoutes } from './routes/transparency.js';

export interface ServerOptions {
  /** A pino logger; none means silent (tests). */
  logger?: FastifyBaseLogger;
}

export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const requestTimeoutMs = ctx.config.requestTimeoutSeconds * 1000;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A whole request (headers and body) must arrive within the request timeout, so a body
    // trickled a byte a second is cut off; Node checks every second rather than every 30.
    serverFactory: (handler) =>
      createServer({ requestTimeout: requestTimeoutMs, headersTimeout: Math.min(requestTimeoutMs, 30_000), connectionsCheckingInterval: 1000 }, handler),
    // An idle connection (no bytes either way) is closed after this; above keep-alive's 72 s.
    connectionTimeout: ctx.config.idleTimeoutSeconds * 1000,
    // The default for every route; the screening and import routes raise their own (see limits.ts).
    bodyLimit: BODY_LIMITS.json,
    // Above the account-id maximum, so an over-long id gets the 400 that names the limit, not a 414.
    routerOptions: { maxParamLength: 512 },
    // Requests are logged by the decision log and metrics; per-request access logs would dominate the cost.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const metrics = new ScreeningMetrics();
  metrics.watchJobs(() => ctx.jobs.counts());
  metrics.watchCaseAlerts(ctx.caseAlerts);
  app.decorateRequest('apiKey', null);

  // The default error shape; a plugin may set its own (the OpenAI-compatible routes answer in OpenAI's).
  app.setErrorHandler((error, request, reply) => {
    const response = toHttpError(error, { bodyLimit: request.routeOptions.bodyLimit });
    if (response.status >= 500) request.log.error({ err: error }, 'request failed');
    if (response.headers) void reply.headers(response.headers);
    return reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]}: see /docs for the API.` }),
  );

  await registerEdge(app, { rateLimit: ctx.config.rateLimit });

  const doc = openApiDocument(PACKAGE_VERSION);
  // The address the client reached the server at (its Host header), not a placeholder: the
  // examples and "try it" tools then work behind any host name or port the deployment uses.
  const withServer = (request: FastifyRequest): typeof doc => ({ ...doc, servers: [{ url: `${request.protocol}://${request.host}` }] });
  app.get('/openapi.json', async (request) => withServer(request));
  app.get('/docs', async (request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(withServer(request))));
  app.get('/', async (_request, reply) => reply.redirect('/docs'));

  // Each group of routes is an encapsulated plugin: its content-type parsers, hooks and error
  // handler stay inside it.
  await app.register(healthRoutes(ctx, metrics));
  await app.register(screenRoutes(ctx, metrics));
  await app.register(decisionRoutes(ctx));
  await app.register(consentRoutes(ctx));
  await app.register(bankRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(caseRoutes(ctx));
  await app.register(moderationRoutes(ctx));
  await app.register(consoleRoutes(ctx));
  await app.register(transparencyRoutes(ctx));
  await app.register(imageRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.ready();
  return app;
}
