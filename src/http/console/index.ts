import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { ConsoleAssets } from './assets.js';
import { publicPages } from './public/routes.js';
import { reviewerPages } from './reviewer.js';
import { transparencyPages } from './transparency-page.js';

/**
 * The pages may load only this server's own scripts, styles and images (photos a person picks on
 * the consent page are shown from blob: URLs and never leave the device), and may post forms and
 * fetch only to this server.
 */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Groups of console pages, each an encapsulated plugin of its own. */
const PAGE_GROUPS: Array<(ctx: AppContext) => FastifyPluginAsync> = [publicPages, reviewerPages, transparencyPages];

/** The web console under /console: server-rendered pages with a little bundled script. */
export function consoleRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const assets = new ConsoleAssets();
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/console')) void reply.header('content-security-policy', CONSOLE_CSP);
    });

    app.get<{ Params: { '*': string } }>('/console/assets/*', async (request, reply) => {
      const asset = await assets.get(request.params['*']);
      return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
    });

    for (const group of PAGE_GROUPS) await app.register(group(ctx));
  };
}
