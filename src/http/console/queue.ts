import type { FastifyInstance } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { CASE_STATES } from '../../domain/cases.js';
import { isPerisaiError, PerisaiError } from '../../domain/errors.js';
import { REPORT_CATEGORIES } from '../../domain/reports.js';
import { caseIdSchema, type CaseListQuery, caseListQuerySchema, type CaseView } from '../../services/cases.js';
import { parseInput } from '../../services/parse-input.js';
import { countdownText, SOON_SECONDS } from './countdown.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { navFor } from './nav.js';
import { actorOf, field, fields, formOf, requirePost, requireSession } from './session.js';

const HELD_PAGE = 20;

/** The deadline as the server first paints it; queue.js keeps it counting down. */
export function deadlineCell(view: CaseView): Html {
  const left = view.clock.time_left_seconds;
  const overdue = view.clock.overdue;
  const running = view.state === 'open' || view.state === 'in_review' || view.state === 'appealed';
  if (!running) return html`<time datetime="${view.clock.deadline}">${view.clock.deadline.slice(0, 16).replace('T', ' ')} UTC</time>`;
  return html`<time datetime="${view.clock.deadline}" data-countdown class="${overdue ? 'overdue' : left < SOON_SECONDS ? 'soon' : ''}"
    ><span aria-hidden="true" class="flag">${overdue ? '⚠ ' : ''}</span><span class="left">${countdownText(left)}</span></time
  >`;
}

/** `?state=&overdue=` from a GET form: empty fields mean "any", not an invalid value. */
function queueQuery(raw: Record<string, unknown>): { query: CaseListQuery; held: string | undefined; notice: string | undefined } {
  const { held, done, failed, ...rest } = raw;
  const filters = Object.fromEntries(Object.entries(rest).filter(([, value]) => typeof value === 'string' && value !== ''));
  const query = parseInput(caseListQuerySchema, filters, 'query');
  const notice =
    typeof done === 'string' && /^\d+$/.test(done)
      ? `${done} case${done === '1' ? '' : 's'} updated${typeof failed === 'string' && failed !== '0' && /^\d+$/.test(failed) ? `; ${failed} could not be (see each case)` : ''}.`
      : undefined;
  return { query, held: typeof held === 'string' && held !== '' ? held : undefined, notice };
}

function option(value: string, current: string | undefined, label = value): Html {
  return html`<option value="${value}" ${value === (current ?? '') ? html`selected` : ''}>${label}</option>`;
}

/** The reviewers' queue: cases by deadline, then the screening decisions held for review. */
export function queueRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get<{ Querystring: Record<string, unknown> }>('/console/cases', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { query, held, notice } = queueQuery(request.query);
    const [queue, heldPage] = await Promise.all([ctx.cases.list(query), ctx.screening.heldForReview(HELD_PAGE, held)]);
    const nextParams = new URLSearchParams(
      Object.entries({ ...query, limit: String(query.limit), cursor: queue.next_cursor ?? '' }).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
      ),
    );
    const body = html`<h1>Case queue</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
      <form method="get" action="/console/cases" class="filters" aria-label="Filter the queue">
        <fieldset>
          <legend>Filters</legend>
          <div class="row">
            <div>
              <label for="f-state">State</label>
              <select id="f-state" name="state">
                ${option('', query.state, 'any')} ${CASE_STATES.map((s) => option(s, query.state, s.replace('_', ' ')))}
              </select>
            </div>
            <div>
              <label for="f-category">Category</label>
              <select id="f-category" name="category">
                ${option('', query.category, 'any')} ${REPORT_CATEGORIES.map((c) => option(c, query.category, c.replaceAll('_', ' ')))}
              </select>
            </div>
            <div>
              <label for="f-jurisdiction">Jurisdiction</label>
              <input
                id="f-jurisdiction"
                name="jurisdiction"
                type="text"
                inputmode="text"
                maxlength="2"
                value="${query.jurisdiction ?? ''}"
                aria-describedby="f-jurisdiction-hint"
              />
              <p class="hint" id="f-jurisdiction-hint">Two capitals, e.g. ID, DE, or EU.</p>
            </div>
            <div>
              <label for="f-assignee">Assignee</label>
              <input id="f-assignee" name="assignee" type="text" value="${query.assignee ?? ''}" />
            </div>
            <div class="check">
              <input id="f-overdue" name="overdue" type="checkbox" value="true" ${query.overdue === 'true' ? html`checked` : ''} />
              <label for="f-overdue">Overdue only</label>
            </div>
          </div>
          <p>
            <button type="submit">Apply filters</button> <a href="/console/cases">Clear</a> ·
            <a href="/console/cases?assignee=${encodeURIComponent(session.user.email)}">Assigned to me</a> ·
            <a href="/console/cases?overdue=true">Overdue</a>
          </p>
        </fieldset>
      </form>

      <details class="shortcuts" id="shortcuts">
        <summary>Keyboard shortcuts <kbd>?</kbd></summary>
        <dl>
          <dt><kbd>j</kbd> / <kbd>k</kbd></dt>
          <dd>next / previous case</dd>
          <dt><kbd>Enter</kbd></dt>
          <dd>open the case</dd>
          <dt><kbd>x</kbd></dt>
          <dd>select the case for a bulk action</dd>
          <dt><kbd>a</kbd></dt>
          <dd>assign the case to me</dd>
          <dt><kbd>?</kbd></dt>
          <dd>show or hide this list</dd>
        </dl>
        <p class="hint">Shortcuts do nothing while you type in a field.</p>
      </details>

      <h2 id="cases-heading">Cases by deadline</h2>
      ${
        queue.cases.length === 0
          ? html`<p>No case matches these filters.</p>`
          : html`<table aria-labelledby="cases-heading" data-queue>
                <thead>
                  <tr>
                    <th scope="col"><span class="visually-hidden">Select</span></th>
                    <th scope="col">Case</th>
                    <th scope="col">Deadline</th>
                    <th scope="col">State</th>
                    <th scope="col">Category</th>
                    <th scope="col">Jurisdiction</th>
                    <th scope="col">Assignee</th>
                  </tr>
                </thead>
                <tbody>
                  ${queue.cases.map(
                    (c) =>
                      html`<tr data-case-row data-case-id="${c.id}">
                        <td><input type="checkbox" name="case" value="${c.id}" form="bulk" aria-label="Select ${c.id}" /></td>
                        <td><a class="mono" href="/console/cases/${c.id}">${c.id}</a>${c.automated ? html` <span class="tag">policy</span>` : ''}</td>
                        <td>${deadlineCell(c)}</td>
                        <td>${c.state.replace('_', ' ')}</td>
                        <td>${c.category.replaceAll('_', ' ')}</td>
                        <td>${c.jurisdiction}</td>
                        <td>${c.assignee ?? html`<span class="muted">nobody</span>`}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${queue.next_cursor ? html`<p><a href="/console/cases?${nextParams.toString()}">Next page</a></p>` : ''}
              <form id="bulk" method="post" action="/console/cases/bulk" class="bulk">
                <input type="hidden" name="csrf" value="${session.csrf}" />
                <fieldset>
                  <legend>With the selected cases</legend>
                  <div class="check">
                    <input type="radio" id="bulk-assign" name="action" value="assign" checked />
                    <label for="bulk-assign">Assign to me (${session.user.email})</label>
                  </div>
                  <div class="check">
                    <input type="radio" id="bulk-note" name="action" value="note" />
                    <label for="bulk-note">Add a note</label>
                  </div>
                  <label for="bulk-text">Note</label>
                  <input id="bulk-text" name="text" type="text" maxlength="10000" />
                  <p><button type="submit">Apply to selected</button></p>
                </fieldset>
              </form>
              <form id="assign-one" method="post" action="/console/cases/bulk" hidden>
                <input type="hidden" name="csrf" value="${session.csrf}" />
                <input type="hidden" name="action" value="assign" />
                <input type="hidden" name="case" value="" />
              </form>`
      }

      <h2 id="held-heading">Screening decisions held for review</h2>
      ${
        heldPage.decisions.length === 0
          ? html`<p>No screening decision is waiting for review.</p>`
          : html`<table aria-labelledby="held-heading">
                <thead>
                  <tr>
                    <th scope="col">Decided</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Why</th>
                    <th scope="col">Requester</th>
                  </tr>
                </thead>
                <tbody>
                  ${heldPage.decisions.map(
                    (d) =>
                      html`<tr>
                        <td><time datetime="${d.createdAt}">${d.createdAt.slice(0, 19).replace('T', ' ')} UTC</time></td>
                        <td class="mono">${d.id}</td>
                        <td>${d.stage}</td>
                        <td>${d.reasons.map((r) => html`<div><code>${r.rule}</code> ${r.message}</div>`)}</td>
                        <td>${d.requester?.id ?? html`<span class="muted">anonymous</span>`}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${heldPage.next_cursor ? html`<p><a href="/console/cases?held=${heldPage.next_cursor}">Older decisions</a></p>` : ''}`
      }`;
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        page({
          lang: 'en',
          title: 'Case queue',
          body,
          nav: navFor(session),
          current: '/console/cases',
          user: { email: session.user.email, csrf: session.csrf },
          scripts: ['queue.js'],
        }),
      );
  });

  /** Bulk actions: each selected case gets the action through the case service, with this person as the actor. */
  app.post('/console/cases/bulk', async (request, reply) => {
    const session = requirePost(ctx, request);
    const form = formOf(request);
    const ids = fields(form, 'case').filter((id) => id !== '');
    if (ids.length === 0) throw new PerisaiError('invalid_request', 'No case was selected: tick the cases to act on, then apply.');
    if (ids.length > 500) throw new PerisaiError('invalid_request', 'At most 500 cases at once: select fewer.');
    for (const id of ids) parseInput(caseIdSchema, id, 'case');
    const action = field(form, 'action');
    const text = (field(form, 'text') ?? '').trim();
    if (action !== 'assign' && action !== 'note')
      throw new PerisaiError('invalid_request', 'Choose what to do with the selected cases: assign to me, or add a note.');
    if (action === 'note' && text === '') throw new PerisaiError('invalid_request', 'The note is empty: write the note, then apply.');
    let done = 0;
    let failed = 0;
    for (const id of ids) {
      try {
        await ctx.cases.act(id, action === 'assign' ? { type: 'assign', assignee: session.user.email } : { type: 'note', text }, actorOf(session));
        done++;
      } catch (error) {
        // One case that moved on (or no longer accepts the action) must not stop the others;
        // anything else (the store is down) fails the whole request.
        if (!isPerisaiError(error) || (error.code !== 'conflict' && error.code !== 'not_found')) throw error;
        failed++;
      }
    }
    return reply.redirect(`/console/cases?done=${done}&failed=${failed}`, 303);
  });
}
