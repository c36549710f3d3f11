import type { FastifyPluginAsync } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { isPerisaiError } from '../../domain/errors.js';
import { toHttpError } from '../errors.js';
import { adminPages } from './admin.js';
import { caseImageRoutes } from './case-images.js';
import { casePageRoutes } from './case-page.js';
import { html } from './html.js';
import { page } from './layout.js';
import { loginPage, loginRoutes } from './login.js';
import { navFor } from './nav.js';
import { preferenceRoutes } from './preferences.js';
import { queueRoutes } from './queue.js';
import { acceptForms, field, formOf, loadSession, safeNext } from './session.js';

/**
 * The reviewers' side of the console: sign-in, the queue, the case page with its actions, the
 * image shield and preferences. Every page needs a session; every form post needs the
 * session's CSRF token (the sign-in form a double-submit cookie). Errors answer as pages.
 */
export function reviewerPages(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    acceptForms(app);
    app.decorateRequest('consoleSession', null);
    app.addHook('onRequest', loadSession(ctx));

    app.setErrorHandler((error, request, reply) => {
      const response = toHttpError(error, { bodyLimit: request.routeOptions.bodyLimit });
      if (response.status >= 500) request.log.error({ err: error }, 'console request failed');
      if (response.headers) void reply.headers(response.headers);
      // A refused sign-in (the per-address limit) is shown on the form itself.
      if (request.url.startsWith('/console/login') && request.method === 'POST') {
        const form = formOf(request);
        return loginPage(ctx, request, reply, {
          next: safeNext(field(form, 'next')),
          email: field(form, 'email') ?? '',
          status: response.status,
          error: response.body.message,
        });
      }
      const session = request.consoleSession;
      const signedOut = isPerisaiError(error) && error.code === 'unauthorized';
      const body = html`<h1>${response.status >= 500 ? 'Something went wrong' : 'That did not work'}</h1>
        <p class="error" role="alert">${response.body.message}</p>
        <p>${signedOut ? html`<a href="/console/login">Sign in</a>` : html`<a href="/console/cases">Back to the queue</a>`}</p>`;
      return reply
        .code(response.status)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          page({
            lang: 'en',
            title: 'Error',
            body,
            ...(session ? { nav: navFor(session), user: { email: session.user.email, csrf: session.csrf } } : {}),
          }),
        );
    });

    loginRoutes(ctx, app);
    queueRoutes(ctx, app);
    casePageRoutes(ctx, app);
    caseImageRoutes(ctx, app);
    preferenceRoutes(ctx, app);
    // Encapsulated: the bank import's text body parser stays inside the admin pages.
    await app.register(adminPages(ctx));
  };
}
