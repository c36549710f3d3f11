/**
 * What every route shares at the edge, registered before the route plugins: security headers,
 * `Cache-Control: no-store` on API answers, and rate limits. Authentication stays per route
 * (`onRequest`, before any body is read); the limiter runs after it, so an authenticated
 * request counts against its key and any other against its client address.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

import { PerisaiError } from '../domain/errors.js';

export interface EdgeOptions {
  /** Requests per minute per key, and per client address without one; 0: no limit. */
  rateLimit: number;
}

/** Routes a load balancer or a scraper polls: never limited. */
const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

export async function registerEdge(app: FastifyInstance, options: EdgeOptions): Promise<void> {
  await app.register(helmet, {
    // The API answers JSON; only /docs is a page, and it has no scripts, only one inline style.
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], imgSrc: ["'self'", 'data:'], formAction: ["'none'"], frameAncestors: ["'none'"] },
    },
    // An API has no cross-origin page to protect with these; they only get in the way of clients.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
  });
  app.addHook('onSend', async (request, reply) => {
    // Decisions, consent and keys are private: no cache on the way may keep a copy.
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });

  if (options.rateLimit <= 0) return;
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: options.rateLimit,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`),
    allowList: (request) => UNLIMITED.has(request.url.split('?')[0] ?? ''),
    errorResponseBuilder: (request, context) =>
      new PerisaiError(
        'rate_limited',
        `Too many requests ${request.apiKey ? `with API key ${request.apiKey.id}` : 'from this address'}: at most ${context.max} a minute. Retry after ${Math.ceil(context.ttl / 1000)} s.`,
        { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) },
      ),
  });
}
