import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import {
  accountIdParam,
  type AccountView,
  reinstateBodySchema,
  STRIKE_CATEGORIES,
  type StrikeView,
  suspendBodySchema,
  type SuspendInput,
} from '../../services/accounts.js';
import type { AccountAppealView } from '../../services/appeals.js';
import { caseIdSchema } from '../../services/cases.js';
import type { ConsoleSession } from '../../services/console-users.js';
import { parseInput } from '../../services/parse-input.js';
import { adminForPage, adminForPost, confirmStep, sendAdminPage, when } from './admin.js';
import { type Html, html } from './html.js';
import { actorOf, field, type FormBody, formOf } from './session.js';

const accountParams = z.object({ id: accountIdParam });
const lookupQuery = z.object({ account: accountIdParam.optional() });

/** The suspension a form describes; empty fields are left out (no end: until reinstated). */
function suspendFromForm(form: FormBody): SuspendInput {
  const value = (name: string) => {
    const v = field(form, name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const days = value('days');
  const until = value('until');
  return parseInput(
    suspendBodySchema,
    { reason: value('reason') ?? '', ...(days !== undefined ? { days: Number(days) } : {}), ...(until !== undefined ? { until } : {}) },
    'form',
  );
}

function describeSuspension(account: string, input: SuspendInput): Html {
  const end = input.until
    ? html`until ${input.until}`
    : input.days
      ? html`for ${input.days} day${input.days === 1 ? '' : 's'}`
      : html`until an admin reinstates it`;
  return html`<strong>Suspend</strong> the account <span class="mono">${account}</span> ${end}: screening refuses its requests meanwhile. The platform is told
    by webhook, and the account holder is given this reason: <q>${input.reason}</q>`;
}

/** The suspend form, on the account page and on a case page for the account its trace names. */
export function suspendForm(account: string, session: ConsoleSession, caseId?: string): Html {
  const id = `suspend-${account.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return html`<form method="post" action="/console/admin/accounts/${encodeURIComponent(account)}/suspend" class="action" id="${id}">
    <fieldset>
      <legend>Suspend <span class="mono">${account}</span></legend>
      <input type="hidden" name="csrf" value="${session.csrf}" />
      ${caseId ? html`<input type="hidden" name="case" value="${caseId}" />` : ''}
      <label for="${id}-reason">Reason</label>
      <p class="hint" id="${id}-reason-hint">The account holder is told this: say what they did and why it leads to a suspension.</p>
      <textarea id="${id}-reason" name="reason" required maxlength="2000" aria-describedby="${id}-reason-hint"></textarea>
      <label for="${id}-days">Days (optional)</label>
      <p class="hint" id="${id}-days-hint">1 to 3650. Give days or an end date, or neither for a suspension until reinstated.</p>
      <input id="${id}-days" name="days" type="number" min="1" max="3650" aria-describedby="${id}-days-hint" />
      <label for="${id}-until">Until (optional, ISO 8601)</label>
      <input id="${id}-until" name="until" type="text" placeholder="2027-01-31T00:00:00Z" />
      <p><button type="submit" class="danger">Suspend…</button></p>
    </fieldset>
  </form>`;
}

const manualStrikeSchema = z.strictObject({
  decision: z.string().regex(/^dec_[0-9a-f]{32}$/, 'must be a decision id from the case trace'),
  category: z.enum(STRIKE_CATEGORIES as [string, ...string[]], 'must be one of the harm categories offered'),
  reason: z.string().trim().min(1, 'is empty: say why the account is struck').max(2000),
  case: caseIdSchema,
});

/**
 * The strike form on a case page: for a decision the case's trace names (the request that made
 * the reported image), the harm it asked for, and why; confirmed on the next page.
 */
export function strikeForm(account: string, decisions: readonly string[], session: ConsoleSession, caseId: string): Html {
  const id = `strike-${account.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return html`<form method="post" action="/console/admin/accounts/${encodeURIComponent(account)}/strike" class="action" id="${id}">
    <fieldset>
      <legend>Strike <span class="mono">${account}</span></legend>
      <input type="hidden" name="csrf" value="${session.csrf}" />
      <input type="hidden" name="case" value="${caseId}" />
      <label for="${id}-decision">For the request</label>
      <select id="${id}-decision" name="decision">
        ${decisions.map((decision) => html`<option value="${decision}">${decision}</option>`)}
      </select>
      <label for="${id}-category">Harm</label>
      <select id="${id}-category" name="category">
        ${STRIKE_CATEGORIES.map((category) => html`<option value="${category}">${category.replaceAll('_', ' ')}</option>`)}
      </select>
      <label for="${id}-reason">Reason</label>
      <p class="hint" id="${id}-reason-hint">Recorded with the strike: what the reviewer found. Strikes count towards the policy's suspension thresholds.</p>
      <textarea id="${id}-reason" name="reason" required maxlength="2000" aria-describedby="${id}-reason-hint"></textarea>
      <p><button type="submit" class="danger">Strike…</button></p>
    </fieldset>
  </form>`;
}

function strikeRows(strikes: StrikeView[]): Html {
  return html`${strikes.map(
    (s) =>
      html`<tr>
        <td class="mono">${s.id}</td>
        <td>${s.state}</td>
        <td>${s.category.replaceAll('_', ' ')}</td>
        <td><code>${s.rule}</code></td>
        <td class="mono">${s.decision_id}</td>
        <td>${when(s.created_at)}</td>
        <td>${s.state === 'lifted' ? html`lifted ${when(s.lifted_at)} by ${s.lifted_by}: ${s.lifted_reason}` : html`expires ${when(s.expires_at)}`}</td>
      </tr>`,
  )}`;
}

function accountSection(view: AccountView, appeals: AccountAppealView[], session: ConsoleSession): Html {
  const strikes = [...view.strikes.active, ...view.strikes.expired, ...view.strikes.lifted];
  return html`<section aria-labelledby="account-heading">
    <h2 id="account-heading">Account <span class="mono">${view.account}</span></h2>
    <dl class="summary">
      <dt>Standing</dt>
      <dd id="standing">
        ${
          view.standing === 'suspended'
            ? html`<strong>suspended</strong> ${view.suspended_until ? html`until ${when(view.suspended_until)}` : 'until reinstated'}`
            : 'good'
        }
      </dd>
      <dt>Strikes</dt>
      <dd>${view.strikes.active.length} active, ${view.strikes.expired.length} expired, ${view.strikes.lifted.length} lifted</dd>
    </dl>

    <h3>Strikes</h3>
    ${
      strikes.length === 0
        ? html`<p>No strike recorded.</p>`
        : html`<table id="strikes">
            <thead>
              <tr>
                <th scope="col">Strike</th>
                <th scope="col">State</th>
                <th scope="col">Category</th>
                <th scope="col">Rule</th>
                <th scope="col">Decision</th>
                <th scope="col">Landed</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              ${strikeRows(strikes)}
            </tbody>
          </table>`
    }

    <h3>Suspensions</h3>
    ${
      view.suspensions.length === 0
        ? html`<p>No suspension recorded.</p>`
        : html`<table id="suspensions">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Until</th>
                <th scope="col">In force</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              ${view.suspensions.map(
                (s) =>
                  html`<tr>
                    <td>${when(s.started_at)}</td>
                    <td>${s.until ? when(s.until) : 'until reinstated'}</td>
                    <td>${s.active ? 'yes' : 'no'}</td>
                    <td>${s.automatic ? 'policy (automatic)' : s.actor}</td>
                    <td>${s.reason}</td>
                    <td>${s.ended_at ? html`${when(s.ended_at)} by ${s.ended_by}: ${s.ended_reason}` : ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }

    <h3>Appeals about it</h3>
    ${
      appeals.length === 0
        ? html`<p>No appeal.</p>`
        : html`<table id="appeals">
            <thead>
              <tr>
                <th scope="col">Appeal case</th>
                <th scope="col">Contests</th>
                <th scope="col">By</th>
                <th scope="col">Opened</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              ${appeals.map(
                (a) =>
                  html`<tr>
                    <td><a class="mono" href="/console/cases/${a.case_id}">${a.case_id}</a></td>
                    <td class="mono">${a.appeal_of}</td>
                    <td>${a.appellant_type.replaceAll('_', ' ')}</td>
                    <td>${when(a.opened_at)}</td>
                    <td>${a.outcome ? html`${a.outcome} ${when(a.decided_at)} by ${a.decided_by}` : 'pending'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }

    <h3>History</h3>
    ${
      view.history.length === 0
        ? html`<p>Nothing has happened to this account.</p>`
        : html`<ul id="account-history">
            ${view.history.map(
              (h) =>
                html`<li>
                  ${when(h.at)} <strong>${h.kind.replaceAll('_', ' ')}</strong> by
                  ${h.actor}${typeof h.details.reason === 'string' ? html`: ${h.details.reason}` : ''}
                </li>`,
            )}
          </ul>`
    }

    <h3>Actions</h3>
    <div class="actions">
      ${suspendForm(view.account, session)}
      ${
        view.standing === 'suspended'
          ? html`<form method="post" action="/console/admin/accounts/${encodeURIComponent(view.account)}/reinstate" class="action" id="reinstate">
              <fieldset>
                <legend>Reinstate</legend>
                <input type="hidden" name="csrf" value="${session.csrf}" />
                <label for="reinstate-reason">Reason</label>
                <textarea id="reinstate-reason" name="reason" required maxlength="2000"></textarea>
                <p><button type="submit">Reinstate…</button></p>
              </fieldset>
            </form>`
          : ''
      }
    </div>
  </section>`;
}

const accountUrl = (account: string) => `/console/admin/accounts?account=${encodeURIComponent(account)}`;

/** Accounts for admins: look one up, suspend it, reinstate it; each change confirmed first. */
export function adminAccountRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get('/console/admin/accounts', async (request, reply) => {
    const session = adminForPage(request, reply);
    if (!session) return reply;
    const { account } = parseInput(lookupQuery, request.query, 'query');
    let found: Html | string = '';
    if (account !== undefined) {
      const view = await ctx.accounts.get(account);
      const decisions = [...new Set([...view.strikes.active, ...view.strikes.expired, ...view.strikes.lifted].map((s) => s.decision_id))];
      found = accountSection(view, await ctx.appeals.aboutAccount(account, decisions), session);
    }
    const body = html`<h1>Accounts</h1>
      <form method="get" action="/console/admin/accounts" class="filters">
        <label for="account-id">Account id</label>
        <p class="hint" id="account-id-hint">As your platform stores it, the requester screening names.</p>
        <input id="account-id" name="account" type="text" required maxlength="128" value="${account ?? ''}" aria-describedby="account-id-hint" />
        <p><button type="submit">Look up</button></p>
      </form>
      ${found}`;
    return sendAdminPage(reply, { title: account ? `Account ${account}` : 'Accounts', body, session, current: '/console/admin/accounts' });
  });

  app.post<{ Params: { id: string } }>('/console/admin/accounts/:id/suspend', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const { id } = parseInput(accountParams, request.params, 'path');
    const form = formOf(request);
    const input = suspendFromForm(form);
    // From a case page: the case's audit trail records it too, and the admin goes back there.
    const caseId = field(form, 'case') ? parseInput(caseIdSchema, field(form, 'case'), 'case') : undefined;
    const back = caseId ? `/console/cases/${caseId}` : accountUrl(id);
    if (field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `suspend ${id}`,
        action: `/console/admin/accounts/${encodeURIComponent(id)}/suspend`,
        fields: { reason: input.reason, days: input.days?.toString(), until: input.until, case: caseId },
        description: describeSuspension(id, input),
        session,
        cancel: back,
        button: 'Yes, suspend the account',
      });
      return sendAdminPage(reply, { title: `Confirm suspending ${id}`, body, session, current: '/console/admin/accounts' });
    }
    await ctx.accounts.suspend(id, input, actorOf(session), undefined, caseId ? { caseId } : undefined);
    return reply.redirect(back, 303);
  });

  app.post<{ Params: { id: string } }>('/console/admin/accounts/:id/strike', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const { id } = parseInput(accountParams, request.params, 'path');
    const form = formOf(request);
    const input = parseInput(
      manualStrikeSchema,
      {
        decision: field(form, 'decision') ?? '',
        category: field(form, 'category') ?? '',
        reason: field(form, 'reason') ?? '',
        case: field(form, 'case') ?? '',
      },
      'form',
    );
    const back = `/console/cases/${input.case}`;
    if (field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `strike ${id}`,
        action: `/console/admin/accounts/${encodeURIComponent(id)}/strike`,
        fields: { decision: input.decision, category: input.category, reason: input.reason, case: input.case },
        description: html`<strong>Strike</strong> the account <span class="mono">${id}</span> for
          <strong>${input.category.replaceAll('_', ' ')}</strong> (request <span class="mono">${input.decision}</span>): it counts towards the policy's
          thresholds and may suspend the account at once. Reason: <q>${input.reason}</q>`,
        session,
        cancel: back,
        button: 'Yes, strike the account',
      });
      return sendAdminPage(reply, { title: `Confirm striking ${id}`, body, session, current: '/console/admin/accounts' });
    }
    await ctx.accounts.strikeManually(
      { decisionId: input.decision, category: input.category as (typeof STRIKE_CATEGORIES)[number], reason: input.reason },
      actorOf(session),
      { caseId: input.case },
    );
    return reply.redirect(back, 303);
  });

  app.post<{ Params: { id: string } }>('/console/admin/accounts/:id/reinstate', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const { id } = parseInput(accountParams, request.params, 'path');
    const form = formOf(request);
    const { reason } = parseInput(reinstateBodySchema, { reason: field(form, 'reason') ?? '' }, 'form');
    if (field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `reinstate ${id}`,
        action: `/console/admin/accounts/${encodeURIComponent(id)}/reinstate`,
        fields: { reason },
        description: html`<strong>Reinstate</strong> the account <span class="mono">${id}</span>: every suspension in force ends now, and the platform is told
          by webhook, with this reason: <q>${reason}</q>`,
        session,
        cancel: accountUrl(id),
        button: 'Yes, reinstate the account',
      });
      return sendAdminPage(reply, { title: `Confirm reinstating ${id}`, body, session, current: '/console/admin/accounts' });
    }
    await ctx.accounts.reinstate(id, reason, actorOf(session));
    return reply.redirect(accountUrl(id), 303);
  });
}
