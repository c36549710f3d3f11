import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import { readCookies } from '../session.js';

/**
 * CSRF protection for the public pages by double submit: the page sets a random token in a
 * cookie another site cannot read or set for this origin (SameSite=Strict, HttpOnly, Path
 * /console) and puts the same token in the form (or the page's data for a fetch); a submission
 * is accepted only when both arrive and are equal. No session is needed, which is the point:
 * the people using these pages have no account.
 */
export const PUBLIC_CSRF_COOKIE = 'perisai_public_csrf';
export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'x-perisai-csrf';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function cookie(request: FastifyRequest, name: string): string | undefined {
  return readCookies(request.headers.cookie)[name];
}

/** Secure only over TLS: a loopback deployment over plain HTTP must still be able to set it. */
function attributes(request: FastifyRequest): string {
  return `Path=/console; HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`;
}

/** The token of this browser, set as a cookie when it has none yet (or a malformed one). */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookie(request, PUBLIC_CSRF_COOKIE);
  if (existing && TOKEN.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  void reply.header('set-cookie', `${PUBLIC_CSRF_COOKIE}=${token}; ${attributes(request)}`);
  return token;
}

/** Whether the submitted token equals the cookie's, compared in constant time. */
export function csrfValid(request: FastifyRequest, submitted: unknown): boolean {
  const expected = cookie(request, PUBLIC_CSRF_COOKIE);
  if (typeof submitted !== 'string' || !expected || !TOKEN.test(expected) || submitted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(submitted), Buffer.from(expected));
}

/** Sets the language cookie the switch chose, so the next page speaks it too. */
export function langCookie(request: FastifyRequest, name: string, lang: string): string {
  return `${name}=${lang}; Path=/console; SameSite=Lax; Max-Age=31536000${request.protocol === 'https' ? '; Secure' : ''}`;
}
