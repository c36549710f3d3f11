import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** scrypt cheap enough for tests (production uses N = 2^17). */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keylen: 64 };

/** The Set-Cookie headers of an answer, by cookie name. */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const header = res.headers['set-cookie'];
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return Object.fromEntries(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}

/** The value of one Set-Cookie header. */
export function cookieValue(setCookie: string): string {
  return decodeURIComponent(setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';')));
}

/** The CSRF token a console page puts in its forms. */
export const csrfIn = (body: string): string => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/** A form body as a browser sends it; a list repeats the field. */
export const form = (fields: Record<string, string | string[]>): string =>
  new URLSearchParams(Object.entries(fields).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();

/** GET and form POST against the console in-process, and signing in through its login form. */
export function consoleClient(app: FastifyInstance) {
  const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const post = (url: string, body: Record<string, string | string[]>, cookie?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: form(body),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
  /** Signs in as a browser does; `cookie` and `csrf` are empty when the sign-in was refused. */
  const signIn = async (email: string, password: string): Promise<{ res: LightMyRequestResponse; cookie: string; csrf: string }> => {
    const page = await get('/console/login');
    const loginCookie = cookiesOf(page)['perisai_login_csrf']!;
    const res = await post(
      '/console/login',
      { csrf: csrfIn(page.body), email, password, next: '/console/cases' },
      `perisai_login_csrf=${cookieValue(loginCookie)}`,
    );
    const session = cookiesOf(res)['perisai_session'];
    const cookie = session ? `perisai_session=${cookieValue(session)}` : '';
    const csrf = cookie ? csrfIn((await get('/console/cases', cookie)).body) : '';
    return { res, cookie, csrf };
  };
  return { get, post, signIn };
}
