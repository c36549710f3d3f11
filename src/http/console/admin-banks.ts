import { Readable } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { isPerisaiError } from '../../domain/errors.js';
import { BANK_PURPOSES, bankNameSchema, createBankSchema } from '../../services/banks.js';
import { MIN_MATCH_QUALITY } from '../../services/consent.js';
import { exportLines, parseHashListOrThrow } from '../../services/hash-import.js';
import { parseInput } from '../../services/parse-input.js';
import { toHttpError } from '../errors.js';
import { BODY_LIMITS } from '../limits.js';
import { adminForPage, adminForPost, confirmStep, requireAdmin, sendAdminPage } from './admin.js';
import { html } from './html.js';
import { actorOf, field, formOf } from './session.js';

const nameParams = z.object({ name: bankNameSchema });
const formatQuery = z.object({ format: z.enum(['pdq', 'csv', 'jsonl']).optional() });
const exportQuery = z.object({ format: z.enum(['pdq', 'csv', 'jsonl']).default('jsonl') });
const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson', pdq: 'text/plain; charset=utf-8' } as const;
const EXPORT_EXTENSIONS = { csv: 'csv', jsonl: 'jsonl', pdq: 'txt' } as const;

/** The import script sends the file as it is; the CSRF token travels in this header. */
export const IMPORT_CSRF_HEADER = 'x-perisai-csrf';
const TEXT_TYPES = ['text/plain', 'text/csv', 'application/x-ndjson', 'application/jsonl'];

/** An empty number field means "the default"; anything else must read as a number. */
function numberField(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : Number(text);
}

/**
 * Banks for admins: the list with hash counts, create, import a hash list (the page's script
 * uploads the file and shows its progress), and export as a streamed download.
 */
export function adminBankRoutes(ctx: AppContext, app: FastifyInstance): void {
  // Only this plugin reads text bodies: the import's hash list, exactly as `perisai bank import` takes it.
  for (const type of TEXT_TYPES) app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get<{ Querystring: { created?: string } }>('/console/admin/banks', async (request, reply) => {
    const session = adminForPage(request, reply);
    if (!session) return reply;
    const banks = await ctx.banks.list();
    // Only a bank name is echoed back: the link cannot be made to show other words.
    const created = bankNameSchema.safeParse(request.query.created).data;
    const body = html`<h1>Hash banks</h1>
      ${created ? html`<p class="notice" role="status">The bank <strong>${created}</strong> was created. Import its hashes below.</p>` : ''}
      <section aria-labelledby="banks-heading">
        <h2 id="banks-heading">Banks (${banks.length})</h2>
        ${
          banks.length === 0
            ? html`<p>No bank yet: create one below.</p>`
            : html`<table id="banks">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Hashes</th>
                    <th scope="col">Active</th>
                    <th scope="col">Min quality</th>
                    <th scope="col">Max distance</th>
                    <th scope="col">Export</th>
                  </tr>
                </thead>
                <tbody>
                  ${banks.map(
                    (bank) =>
                      html`<tr>
                        <td><span class="mono">${bank.name}</span>${bank.description ? html`<div class="hint">${bank.description}</div>` : ''}</td>
                        <td>${bank.purpose}</td>
                        <td data-bank-count="${bank.name}">${bank.hashes}</td>
                        <td>
                          ${bank.active ? 'yes' : 'no (screening ignores it)'}
                          <form method="post" action="/console/admin/banks/${bank.name}/active" class="inline">
                            <input type="hidden" name="csrf" value="${session.csrf}" />
                            <input type="hidden" name="active" value="${bank.active ? 'no' : 'yes'}" />
                            <button type="submit" class="${bank.active ? 'danger' : ''}">
                              ${bank.active ? 'Deactivate…' : 'Activate'}<span class="visually-hidden"> ${bank.name}</span>
                            </button>
                          </form>
                        </td>
                        <td>${bank.minQuality}</td>
                        <td>${bank.maxDistance}</td>
                        <td>
                          ${(['jsonl', 'csv', 'pdq'] as const).map(
                            (format) =>
                              html`<a href="/console/admin/banks/${bank.name}/export?format=${format}" download
                                >${format}<span class="visually-hidden"> export of ${bank.name}</span></a
                              > `,
                          )}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </section>

      ${
        banks.length > 0
          ? html`<section aria-labelledby="import-heading">
              <h2 id="import-heading">Import a hash list</h2>
              <p class="hint">
                PDQ lines, CSV or JSONL, as <code>perisai bank import</code> takes them, up to 64 MiB (about 500,000 hashes). A list with any bad line imports
                nothing and says which lines to fix; hashes the bank already holds are skipped.
              </p>
              <noscript
                ><p class="warn">Importing a file from this page needs JavaScript; without it, use <code>perisai bank import</code>.</p></noscript
              >
              <form id="bank-import" method="post" action="/console/admin/banks" hidden>
                <input type="hidden" name="csrf" value="${session.csrf}" />
                <label for="import-bank">Bank</label>
                <select id="import-bank" name="bank">
                  ${banks.map((bank) => html`<option value="${bank.name}">${bank.name}</option>`)}
                </select>
                <label for="import-format">Format</label>
                <select id="import-format" name="format">
                  <option value="">detect from the content</option>
                  <option value="pdq">PDQ lines</option>
                  <option value="csv">CSV</option>
                  <option value="jsonl">JSONL</option>
                </select>
                <label for="import-file">Hash list file</label>
                <input id="import-file" name="file" type="file" accept=".txt,.csv,.jsonl,.ndjson,text/plain,text/csv" required />
                <p><button type="submit">Import</button></p>
                <label for="import-progress">Progress</label>
                <progress id="import-progress" max="1" value="0"></progress>
                <p id="import-status" role="status" aria-live="polite"></p>
              </form>
            </section>`
          : ''
      }

      <section aria-labelledby="create-heading">
        <h2 id="create-heading">Create a bank</h2>
        <form method="post" action="/console/admin/banks" id="bank-create">
          <input type="hidden" name="csrf" value="${session.csrf}" />
          <label for="bank-name">Name</label>
          <p class="hint" id="bank-name-hint">1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.</p>
          <input id="bank-name" name="name" type="text" required maxlength="64" aria-describedby="bank-name-hint" />
          <label for="bank-purpose">Purpose</label>
          <p class="hint" id="bank-purpose-hint">The policy's rules act on a match by purpose (csam, ncii, takedown, review, test).</p>
          <select id="bank-purpose" name="purpose" aria-describedby="bank-purpose-hint">
            ${BANK_PURPOSES.map((purpose) => html`<option value="${purpose}">${purpose}</option>`)}
          </select>
          <label for="bank-description">Description (optional)</label>
          <input id="bank-description" name="description" type="text" maxlength="500" />
          <label for="bank-min-quality">Min quality</label>
          <p class="hint" id="bank-min-quality-hint">The lowest PDQ quality (0-100) a hash may have to be imported.</p>
          <input
            id="bank-min-quality"
            name="min_quality"
            type="number"
            min="0"
            max="100"
            value="${MIN_MATCH_QUALITY}"
            aria-describedby="bank-min-quality-hint"
          />
          <label for="bank-max-distance">Max distance</label>
          <p class="hint" id="bank-max-distance-hint">How many of the 256 PDQ bits may differ for a match, 0-63.</p>
          <input id="bank-max-distance" name="max_distance" type="number" min="0" max="63" value="31" aria-describedby="bank-max-distance-hint" />
          <div class="check">
            <input id="bank-active" name="active" type="checkbox" value="yes" checked />
            <label for="bank-active">Active (screening matches against it)</label>
          </div>
          <p><button type="submit">Create the bank</button></p>
        </form>
      </section>`;
    return sendAdminPage(reply, {
      title: 'Hash banks',
      body,
      session,
      current: '/console/admin/banks',
      ...(banks.length > 0 ? { scripts: ['bank-import.js'] } : {}),
    });
  });

  app.post('/console/admin/banks', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const form = formOf(request);
    const description = field(form, 'description')?.trim();
    const input = parseInput(
      createBankSchema,
      {
        name: field(form, 'name')?.trim(),
        purpose: field(form, 'purpose'),
        ...(description ? { description } : {}),
        min_quality: numberField(field(form, 'min_quality')),
        max_distance: numberField(field(form, 'max_distance')),
        active: field(form, 'active') === 'yes',
      },
      'form',
    );
    const bank = await ctx.banks.create(input, actorOf(session));
    return reply.redirect(`/console/admin/banks?created=${encodeURIComponent(bank.name)}`, 303);
  });

  /** Activating acts at once; deactivating (screening stops matching the bank) is confirmed first. */
  app.post<{ Params: { name: string } }>('/console/admin/banks/:name/active', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const { name } = parseInput(nameParams, request.params, 'path');
    const form = formOf(request);
    const active = field(form, 'active') === 'yes';
    const bank = await ctx.banks.get(name);
    if (!active && field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `deactivate ${name}`,
        action: `/console/admin/banks/${name}/active`,
        fields: { active: 'no' },
        description: html`<strong>Deactivate</strong> the bank <span class="mono">${name}</span> (${bank.purpose}): screening stops matching its hashes on every
          instance, so copies of what it holds are no longer refused. Its hashes are kept.`,
        session,
        cancel: '/console/admin/banks',
        button: 'Yes, deactivate the bank',
      });
      return sendAdminPage(reply, { title: `Confirm deactivating ${name}`, body, session, current: '/console/admin/banks' });
    }
    await ctx.banks.setActive(name, active, actorOf(session));
    return reply.redirect('/console/admin/banks', 303);
  });

  /**
   * The import script's upload: the file as the body, the CSRF token in a header (a page on
   * another site cannot set one without a CORS preflight this server never grants, and the
   * session cookie is SameSite=Strict besides). Answers JSON, errors too, for the script.
   */
  app.post<{ Params: { name: string } }>('/console/admin/banks/:name/hashes', { bodyLimit: BODY_LIMITS.hashImport }, async (request, reply) => {
    try {
      const session = request.consoleSession;
      if (!session) {
        return reply.code(401).send({ message: 'You are not signed in, or your session has ended: sign in again and repeat the import.' });
      }
      requireAdmin(session);
      ctx.consoleUsers.checkCsrf(session, request.headers[IMPORT_CSRF_HEADER]);
      const { name } = parseInput(nameParams, request.params, 'path');
      const { format } = parseInput(formatQuery, request.query, 'query');
      if (typeof request.body !== 'string') {
        return reply.code(415).send({ message: 'Send the hash list as the body, as text/plain, text/csv or application/x-ndjson.' });
      }
      const bank = await ctx.banks.get(name);
      const entries = await parseHashListOrThrow(request.body, { format, minQuality: bank.minQuality, source: 'the file' });
      const result = await ctx.banks.import(name, entries, actorOf(session));
      const hashes = (await ctx.banks.list()).find((b) => b.name === name)?.hashes ?? null;
      return reply.header('cache-control', 'no-store').send({ ...result, hashes });
    } catch (error) {
      const response = toHttpError(error, { bodyLimit: request.routeOptions.bodyLimit });
      if (response.status >= 500) request.log.error({ err: error }, 'console bank import failed');
      return reply
        .code(response.status)
        .send({ message: isPerisaiError(error) || response.status < 500 ? response.body.message : 'The import failed: try again.' });
    }
  });

  app.get<{ Params: { name: string } }>('/console/admin/banks/:name/export', async (request, reply) => {
    const session = adminForPage(request, reply);
    if (!session) return reply;
    const { name } = parseInput(nameParams, request.params, 'path');
    const { format } = parseInput(exportQuery, request.query, 'query');
    await ctx.banks.get(name);
    // Streamed page by page, as the API's export: millions of hashes never sit in memory whole.
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${name}.${EXPORT_EXTENSIONS[format]}"`)
      .type(EXPORT_TYPES[format])
      .send(Readable.from(withNewlines(exportLines(ctx.banks.export(name), format))));
  });
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}
