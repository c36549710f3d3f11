import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import type { ConsoleSession } from '../../services/console-users.js';
import { adminAccessRoutes } from './admin-access.js';
import { adminAccountRoutes } from './admin-accounts.js';
import { adminBankRoutes } from './admin-banks.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { navFor } from './nav.js';
import { requirePost, requireSession } from './session.js';

/**
 * The admin pages (banks, accounts, users, API keys), registered inside the reviewer plugin so
 * they share its session hook, form parser and HTML error pages, and encapsulated so the text
 * body parser of the bank import reaches no other route.
 */
export function adminPages(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    adminBankRoutes(ctx, app);
    adminAccountRoutes(ctx, app);
    adminAccessRoutes(ctx, app);
  };
}

export function requireAdmin(session: ConsoleSession): ConsoleSession {
  if (session.user.role !== 'admin') {
    throw new PerisaiError('forbidden', 'This page is for console admins only: ask an admin to do it, or to give you the admin role.');
  }
  return session;
}

/** A signed-in admin for a page (a visitor without a session is sent to sign in: undefined). */
export function adminForPage(request: FastifyRequest, reply: FastifyReply): ConsoleSession | undefined {
  const session = requireSession(request, reply);
  return session ? requireAdmin(session) : undefined;
}

/** A signed-in admin for a form post, its CSRF token checked. */
export function adminForPost(ctx: AppContext, request: FastifyRequest): ConsoleSession {
  return requireAdmin(requirePost(ctx, request));
}

export function sendAdminPage(
  reply: FastifyReply,
  options: { title: string; body: Html; session: ConsoleSession; current: string; scripts?: string[]; status?: number },
): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      page({
        lang: 'en',
        title: options.title,
        body: options.body,
        nav: navFor(options.session),
        current: options.current,
        user: { email: options.session.user.email, csrf: options.session.csrf },
        ...(options.scripts ? { scripts: options.scripts } : {}),
      }),
    );
}

/**
 * The second step of a destructive action: says what it will do, and posts the same fields
 * again with `confirm=yes`. Only that second, deliberate post acts.
 */
export function confirmStep(options: {
  title: string;
  action: string;
  fields: Record<string, string | undefined>;
  description: Html;
  session: ConsoleSession;
  cancel: string;
  button: string;
}): Html {
  return html`<h1>Confirm: ${options.title}</h1>
    <p class="notice">${options.description}</p>
    <p>This is recorded in the audit log under <strong>${options.session.user.email}</strong>.</p>
    <form method="post" action="${options.action}">
      <input type="hidden" name="csrf" value="${options.session.csrf}" />
      <input type="hidden" name="confirm" value="yes" />
      ${Object.entries(options.fields)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
      <p>
        <button type="submit" class="danger" autofocus>${options.button}</button>
        <a href="${options.cancel}">Cancel</a>
      </p>
    </form>`;
}

export function when(at: string | null): Html | string {
  return at === null ? '' : html`<time datetime="${at}">${at.slice(0, 19).replace('T', ' ')} UTC</time>`;
}
