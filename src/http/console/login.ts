import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { isPerisaiError, PerisaiError } from '../../domain/errors.js';
import { sameSecret } from '../../services/console-users.js';
import { toHttpError } from '../errors.js';
import { html } from './html.js';
import { page } from './layout.js';
import { field, formOf, isTls, LOGIN_CSRF_COOKIE, newLoginToken, readCookies, requirePost, safeNext, SESSION_COOKIE, setCookie } from './session.js';

/** Renders the sign-in form with a fresh double-submit token (cookie and hidden field). */
export function loginPage(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { next: string; error?: string; email?: string; status?: number },
) {
  const token = newLoginToken();
  const { maxFailures, lockMinutes } = ctx.consoleUsers.limits;
  void reply
    .code(options.status ?? 200)
    .header('set-cookie', setCookie(LOGIN_CSRF_COOKIE, token, { path: '/console/login', maxAge: 3600, secure: isTls(request) }))
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8');
  return page({
    lang: 'en',
    title: 'Sign in',
    body: html`<h1>Sign in to review</h1>
      ${options.error ? html`<p class="error" role="alert" id="login-error">${options.error}</p>` : ''}
      <form method="post" action="/console/login" class="login">
        <input type="hidden" name="csrf" value="${token}" />
        <input type="hidden" name="next" value="${options.next}" />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${options.email ?? ''}"
          ${options.error ? html`aria-describedby="login-error"` : ''}
        />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <p class="hint">After ${maxFailures} wrong passwords in a row the account locks for ${lockMinutes} minutes. An admin creates accounts.</p>
        <p><button type="submit">Sign in</button></p>
      </form>`,
  });
}

/** /console/login and /console/logout. */
export function loginRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get<{ Querystring: { next?: string } }>('/console/login', async (request, reply) => {
    if (request.consoleSession) return reply.redirect(safeNext(request.query.next), 303);
    return loginPage(ctx, request, reply, { next: safeNext(request.query.next) });
  });

  app.post(
    '/console/login',
    // Per address, before any password is hashed; the per-account lock-out is the second line.
    { config: { rateLimit: { max: ctx.config.consoleLoginRateLimit, timeWindow: 60_000 } } },
    async (request, reply) => {
      const form = formOf(request);
      const next = safeNext(field(form, 'next'));
      const email = field(form, 'email') ?? '';
      const cookieToken = readCookies(request.headers.cookie)[LOGIN_CSRF_COOKIE];
      const formToken = field(form, 'csrf');
      if (cookieToken === undefined || formToken === undefined || !sameSecret(cookieToken, formToken)) {
        return loginPage(ctx, request, reply, {
          next,
          email,
          status: 403,
          error: 'The sign-in form was out of date or came from another site: enter your email and password again.',
        });
      }
      try {
        const signed = await ctx.consoleUsers.login(email, field(form, 'password') ?? '', { address: request.ip });
        const maxAge = Math.max(0, Math.floor((new Date(signed.session.expiresAt).getTime() - ctx.clock.now().getTime()) / 1000));
        return reply
          .header('set-cookie', [
            setCookie(SESSION_COOKIE, signed.token, { path: '/console', maxAge, secure: isTls(request) }),
            setCookie(LOGIN_CSRF_COOKIE, '', { path: '/console/login', maxAge: 0, secure: isTls(request) }),
          ])
          .redirect(next, 303);
      } catch (error) {
        if (!isPerisaiError(error) || (error.code !== 'unauthorized' && error.code !== 'rate_limited' && error.code !== 'invalid_request')) throw error;
        const response = toHttpError(error);
        if (response.headers) void reply.headers(response.headers);
        return loginPage(ctx, request, reply, { next, email, status: response.status, error: error.message });
      }
    },
  );

  app.post('/console/logout', async (request, reply) => {
    const token = readCookies(request.headers.cookie)[SESSION_COOKIE];
    if (!request.consoleSession) throw new PerisaiError('unauthorized', 'You are already signed out: sign in again to continue.');
    requirePost(ctx, request);
    await ctx.consoleUsers.logout(token);
    return reply.header('set-cookie', setCookie(SESSION_COOKIE, '', { path: '/console', maxAge: 0, secure: isTls(request) })).redirect('/console/login', 303);
  });
}
