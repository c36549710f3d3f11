import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../../app-context.js';
import { ACCOUNT_ID_MAX, accountIdSchema } from '../../../domain/account-id.js';
import { EU_MEMBER_STATES, resolveClock } from '../../../domain/clocks/index.js';
import { isPerisaiError, PerisaiError } from '../../../domain/errors.js';
import { REPORT_CATEGORIES, type ReportCategory, REPORTER_TYPES, type ReporterType } from '../../../domain/reports.js';
import { anonymousOwnerOf, anonymousReferenceSchema, newAnonymousReference, protectedHashesSchema } from '../../../services/consent.js';
import { SCREEN_LIMITS } from '../../../services/screen-request.js';
import { toHttpError } from '../../errors.js';
import { BODY_LIMITS, formatLimit } from '../../limits.js';
import { html } from '../html.js';
import { isLang, type Lang, LANG_COOKIE, negotiateLang } from '../i18n.js';
import { page } from '../layout.js';
import { consentMessages, consentPage, PUBLIC_CONSENT_MAX_PHOTOS } from './consent-page.js';
import { cookie, CSRF_FIELD, CSRF_HEADER, csrfToken, csrfValid, langCookie } from './csrf.js';
import { publicNav } from './nav.js';
import { parseReportForm, pickFormValues } from './report-form.js';
import { deadlineText, type FormErrors, type FormValues, jurisdictionChoices, reportFormPage, reportReceivedPage } from './report-page.js';

/** Who the service records as the reporter of a console report: no key, so not authenticated. */
export const PUBLIC_REPORTER = { authenticated: false, actor: 'console:public' } as const;
const CONSENT_ACTOR = 'console:public';

const protectBodySchema = z.strictObject({
  account: z.string().trim().max(200).optional(),
  hashes: protectedHashesSchema.shape.hashes.max(PUBLIC_CONSENT_MAX_PHOTOS, `may hold at most ${PUBLIC_CONSENT_MAX_PHOTOS} photos per submission`),
  lang: z.string().optional(),
});

const ERROR_TEXT = {
  en: { title: 'Something went wrong', back: 'Go back to the form' },
  id: { title: 'Terjadi kesalahan', back: 'Kembali ke formulir' },
} as const;

const RATE_TEXT: Record<Lang, string> = {
  en: 'Too many submissions from your address in the last minute. Wait a minute and try again; nothing was lost.',
  id: 'Terlalu banyak kiriman dari alamat Anda dalam satu menit terakhir. Tunggu satu menit lalu coba lagi; tidak ada yang hilang.',
};

/**
 * The public console pages: the report form and the consent page. No login; each browser gets a
 * CSRF token by double-submit cookie, and every submission is rate-limited per address like
 * `POST /v1/reports`. The pages call the same services as the API, as an unauthenticated reporter.
 */
export function publicPages(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: SCREEN_LIMITS.imageBytes, files: 1, fields: 30, fieldSize: 20_000, parts: 32 },
    });
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMITS.json }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    const langOf = (request: FastifyRequest, reply: FastifyReply): Lang => {
      const query = (request.query as Record<string, unknown> | undefined)?.['lang'];
      const lang = negotiateLang({ query, cookie: cookie(request, LANG_COOKIE), acceptLanguage: request.headers['accept-language'] });
      // The switch is a link with ?lang=: remember the choice for the next page.
      if (isLang(query) && cookie(request, LANG_COOKIE) !== query) void reply.header('set-cookie', langCookie(request, LANG_COOKIE, query));
      return lang;
    };
    const sendPage = (reply: FastifyReply, status: number, markup: string) =>
      reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(markup);

    // Errors outside the form's own checks (rate limit, a body too large, a failing store) as a page, or JSON for the script.
    app.setErrorHandler((error, request, reply) => {
      const response = toHttpError(error, { bodyLimit: request.routeOptions.bodyLimit });
      if (response.status >= 500) request.log.error({ err: error }, 'console request failed');
      if (response.headers) void reply.headers(response.headers);
      const lang = langOf(request, reply);
      const message = response.status === 429 ? RATE_TEXT[lang] : response.body.message;
      if (request.url.startsWith('/console/consent/protect') || request.url.startsWith('/console/report/deadline')) {
        return reply.code(response.status).send({ ...response.body, message });
      }
      const back = request.url.startsWith('/console/consent') ? '/console/consent' : '/console/report';
      const body = html`<h1>${ERROR_TEXT[lang].title}</h1>
        <p class="error" role="alert">${message}</p>
        <p><a href="${back}?lang=${lang}">${ERROR_TEXT[lang].back}</a></p>`;
      return sendPage(reply, response.status, page({ lang, title: ERROR_TEXT[lang].title, body, nav: publicNav(lang) }));
    });

    const jurisdictions = jurisdictionChoices(
      ctx.clockRules.rules.flatMap((rule) => (rule.when.jurisdiction ? [rule.when.jurisdiction] : [])),
      EU_MEMBER_STATES,
    );
    const ruleFor = (values: FormValues) => {
      const { jurisdiction, category } = values;
      if (!jurisdiction || !jurisdictions.includes(jurisdiction) || !category || !(REPORT_CATEGORIES as readonly string[]).includes(category)) return undefined;
      const reporterType = (REPORTER_TYPES as readonly string[]).includes(values.reporter_type ?? '')
        ? (values.reporter_type as ReporterType)
        : 'depicted_person';
      return resolveClock(ctx.clockRules, { jurisdiction, category: category as ReportCategory, reporterType, at: ctx.clock.now() });
    };
    const formPage = (lang: Lang, csrf: string, values: FormValues, errors?: FormErrors) =>
      reportFormPage({ lang, csrf, values, jurisdictions, rule: ruleFor(values), ...(errors ? { errors } : {}) });

    app.get('/console/report', async (request, reply) => {
      const lang = langOf(request, reply);
      // A link may preselect the country and the kind of content (a help page for one country, say).
      const values = pickFormValues(request.query as Record<string, unknown>);
      const preset: FormValues = {
        ...(values.jurisdiction ? { jurisdiction: values.jurisdiction } : {}),
        ...(values.category ? { category: values.category } : {}),
        ...(values.reporter_type ? { reporter_type: values.reporter_type } : {}),
      };
      return sendPage(reply, 200, formPage(lang, csrfToken(request, reply), preset));
    });

    app.get('/console/report/deadline', async (request, reply) => {
      const lang = langOf(request, reply);
      const values = pickFormValues(request.query as Record<string, unknown>);
      const rule = ruleFor(values);
      return reply
        .header('cache-control', 'no-store')
        .send(rule && values.jurisdiction ? { rule: rule.id, hours: rule.hours, basis: rule.basis, text: deadlineText(lang, rule, values.jurisdiction) } : {});
    });

    app.post(
      '/console/report',
      {
        bodyLimit: BODY_LIMITS.report,
        config: { rateLimit: { max: ctx.config.reportRateLimit } },
      },
      async (request, reply) => {
        const lang = langOf(request, reply);
        const { raw, image, imageTooLarge } = await readForm(request);
        const values = pickFormValues(raw);
        const imageChosen = image !== undefined || imageTooLarge;
        const token = csrfToken(request, reply);
        if (!csrfValid(request, raw[CSRF_FIELD])) {
          return sendPage(reply, 403, formPage(lang, token, values, { fields: {}, form: 'err_csrf', imageDropped: imageChosen }));
        }
        if (imageTooLarge) {
          const errors: FormErrors = {
            fields: { image: { key: 'err_image_size', values: { limit: formatLimit(SCREEN_LIMITS.imageBytes) } } },
            imageDropped: true,
          };
          return sendPage(reply, 413, formPage(lang, token, values, errors));
        }
        const parsed = parseReportForm(values, image);
        if (!parsed.ok) return sendPage(reply, 400, formPage(lang, token, values, { ...parsed.errors, imageDropped: imageChosen }));
        try {
          const receipt = await ctx.reports.submit(parsed.body, PUBLIC_REPORTER);
          return sendPage(reply, 201, reportReceivedPage(lang, receipt, parsed.body.jurisdiction));
        } catch (error) {
          // An image that cannot be decoded is the person's to fix: back to the form, with the decoder's reason.
          if (isPerisaiError(error) && error.code.startsWith('image_')) {
            const errors: FormErrors = { fields: { image: { key: 'err_image', values: { message: error.message } } }, imageDropped: true };
            return sendPage(reply, toHttpError(error).status, formPage(lang, token, values, errors));
          }
          throw error;
        }
      },
    );

    app.get('/console/consent', async (request, reply) => {
      const lang = langOf(request, reply);
      return sendPage(reply, 200, consentPage({ lang, csrf: csrfToken(request, reply) }));
    });

    app.post('/console/consent/protect', { config: { rateLimit: { max: ctx.config.publicConsentRateLimit } } }, async (request, reply) => {
      const body = request.body as Record<string, unknown> | null;
      const lang = negotiateLang({ query: body?.['lang'], cookie: cookie(request, LANG_COOKIE), acceptLanguage: request.headers['accept-language'] });
      if (!csrfValid(request, request.headers[CSRF_HEADER])) {
        throw new PerisaiError('forbidden', consentMessages(lang, 'err_csrf'));
      }
      const parsed = protectBodySchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new PerisaiError('invalid_request', `${issue.path.join('.') || 'body'} ${issue.message}.`, { field: issue.path.join('.') });
      }
      let owner: string;
      let reference: string | undefined;
      if (parsed.data.account) {
        const account = accountIdSchema.safeParse(parsed.data.account);
        if (!account.success) throw new PerisaiError('invalid_request', consentMessages(lang, 'err_account', { max: ACCOUNT_ID_MAX }), { field: 'account' });
        owner = account.data;
      } else {
        reference = newAnonymousReference();
        owner = anonymousOwnerOf(reference);
      }
      const result = await ctx.consent.addProtectedHashes(owner, parsed.data.hashes, CONSENT_ACTOR).catch((error: unknown) => {
        // The service's message speaks to the platform (and names the operator's setting); the person here gets theirs.
        if (isPerisaiError(error) && error.code === 'protected_hash_limit') {
          const { limit = 0, stored = 0 } = (error.details ?? {}) as { limit?: number; stored?: number };
          const message = consentMessages(lang, 'err_limit', { account: owner, stored, limit, free: Math.max(0, limit - stored) });
          throw new PerisaiError('protected_hash_limit', message, { limit, stored });
        }
        throw error;
      });
      return reply
        .code(result.added > 0 ? 201 : 200)
        .header('cache-control', 'no-store')
        .send({ owner, anonymous: reference !== undefined, ...(reference ? { reference } : {}), ...result });
    });

    app.post('/console/consent/remove', { config: { rateLimit: { max: ctx.config.publicConsentRateLimit } } }, async (request, reply) => {
      const lang = langOf(request, reply);
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const token = csrfToken(request, reply);
      const reference = typeof raw['reference'] === 'string' ? raw['reference'].slice(0, 100) : '';
      if (!csrfValid(request, raw[CSRF_FIELD])) return sendPage(reply, 403, consentPage({ lang, csrf: token, reference, removal: { error: 'err_csrf' } }));
      const parsed = anonymousReferenceSchema.safeParse(reference);
      if (!parsed.success) return sendPage(reply, 400, consentPage({ lang, csrf: token, reference, removal: { error: 'err_reference' } }));
      const removed = await ctx.consent.deleteProtectedHashes(anonymousOwnerOf(parsed.data), CONSENT_ACTOR);
      return sendPage(reply, 200, consentPage({ lang, csrf: token, removal: { removed } }));
    });
  };
}

interface ReadForm {
  raw: Record<string, unknown>;
  image: Uint8Array | undefined;
  imageTooLarge: boolean;
}

/** The report form's fields and its one file, from multipart or urlencoded; an over-size file is flagged, not thrown. */
async function readForm(request: FastifyRequest): Promise<ReadForm> {
  if (!request.isMultipart()) return { raw: (request.body ?? {}) as Record<string, unknown>, image: undefined, imageTooLarge: false };
  const raw: Record<string, unknown> = {};
  let image: Uint8Array | undefined;
  let imageTooLarge = false;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume();
        continue;
      }
      try {
        const bytes = await part.toBuffer();
        if (bytes.length > 0) image = bytes;
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') imageTooLarge = true;
        else throw error;
      }
    } else if (typeof part.value === 'string' && !(part.fieldname in raw)) {
      raw[part.fieldname] = part.value;
    }
  }
  return { raw, image, imageTooLarge };
}
