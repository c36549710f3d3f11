import { randomBytes } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import type { ConsoleSession } from '../../services/console-users.js';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSession | null;
  }
}

export const SESSION_COOKIE = 'perisai_session';
/** The login form's double-submit token, for a visitor who has no session yet. */
export const LOGIN_CSRF_COOKIE = 'perisai_login_csrf';

/** A parsed form body: a field sent more than once (checkboxes) becomes an array. */
export type FormBody = Record<string, string | string[]>;

/** Forms are small; a 64 KiB body is ten pages of notes. */
const FORM_LIMIT = 64 * 1024;

/** Parses `application/x-www-form-urlencoded` bodies in the plugin that calls it. */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) => {
    const form: FormBody = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const existing = form[key];
      form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    done(null, form);
  });
}

export function formOf(request: FastifyRequest): FormBody {
  const body = request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as FormBody) : {};
}

/** One value of a form field (the first, if it was sent more than once). */
export function field(form: FormBody, name: string): string | undefined {
  const value = form[name];
  return Array.isArray(value) ? value[0] : value;
}

export function fields(form: FormBody, name: string): string[] {
  const value = form[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Cookie values by name from a Cookie header; the first of repeated names wins. */
export function readCookies(header: string | undefined): Record<string, string> {
  // No prototype: a cookie named "constructor" or "__proto__" is just a name.
  const cookies = Object.create(null) as Record<string, string>;
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    const raw = part.slice(at + 1).trim();
    try {
      cookies[name] ??= decodeURIComponent(raw);
    } catch {
      // A malformed cookie is ignored, as a browser would ignore it.
    }
  }
  return cookies;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  /** Set when the request came over TLS, so the cookie is never sent in the clear. */
  secure: boolean;
}

/**
 * Console cookies are HttpOnly (no script reads them) and SameSite=Strict: a page on another
 * site can neither post with them nor open a signed-in page. Strict costs one thing: a reviewer
 * following a link from mail or a ticket lands on the sign-in page first (and comes back to the
 * link after); the console has no embedded or cross-site use that Lax would serve.
 */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function isTls(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function newLoginToken(): string {
  return randomBytes(24).toString('base64url');
}

/** A path inside the console to return to after sign-in; anything else (another host, `//x`) becomes the queue. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console\/[A-Za-z0-9/_?=&%.-]*$/.test(next) && !next.startsWith('//') ? next : '/console/cases';
}

/** Finds the request's session (or none) before the handler runs. */
export function loadSession(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    request.consoleSession = (await ctx.consoleUsers.session(readCookies(request.headers.cookie)[SESSION_COOKIE])) ?? null;
  };
}

/**
 * For signed-in pages: a visitor without a session is sent to sign in (and back here after);
 * a form post without one is refused.
 */
export function requireSession(request: FastifyRequest, reply: FastifyReply): ConsoleSession | undefined {
  if (request.consoleSession) return request.consoleSession;
  if (request.method === 'GET') {
    void reply.redirect(`/console/login?next=${encodeURIComponent(request.url)}`, 303);
    return undefined;
  }
  throw new PerisaiError('unauthorized', 'You are not signed in, or your session has ended: sign in again and repeat the action.');
}

/** The session of a state-changing form, after its CSRF token has been checked. */
export function requirePost(ctx: AppContext, request: FastifyRequest): ConsoleSession {
  const session = request.consoleSession;
  if (!session) throw new PerisaiError('unauthorized', 'You are not signed in, or your session has ended: sign in again and repeat the action.');
  ctx.consoleUsers.checkCsrf(session, field(formOf(request), 'csrf'));
  return session;
}

/** The actor an action by this person is recorded under in case histories and the audit log. */
export function actorOf(session: ConsoleSession): string {
  return `user:${session.user.email}`;
}
