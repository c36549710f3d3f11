import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import type { CaseAction } from '../../domain/cases.js';
import type { DecisionRecord } from '../../domain/decision-record.js';
import { PerisaiError } from '../../domain/errors.js';
import type { AuditEntry } from '../../services/audit.js';
import { type CaseActionInput, caseActionSchema, type CaseDetail, caseIdSchema } from '../../services/cases.js';
import type { ConsoleSession } from '../../services/console-users.js';
import { parseInput } from '../../services/parse-input.js';
import { strikeForm, suspendForm } from './admin-accounts.js';
import { imagesSection } from './case-images.js';
import { highlight, type Span } from './highlight.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { navFor } from './nav.js';
import { deadlineCell } from './queue.js';
import { actorOf, field, type FormBody, formOf, requirePost, requireSession } from './session.js';

const params = z.object({ id: caseIdSchema });

/** The actions the case page offers, in the order a reviewer reaches for them. Appeals come from outside. */
const OFFERED: CaseAction[] = ['assign', 'note', 'uphold', 'overturn', 'remove', 'decline', 'bank', 'escalate', 'notify', 'close'];

const ACTION_LABELS: Record<CaseAction, string> = {
  assign: 'Assign',
  note: 'Add a note',
  remove: 'Remove the content',
  bank: 'Bank the image',
  decline: 'Decline (keep the content up)',
  escalate: 'Escalate',
  notify: 'Reply to the reporters',
  appeal: 'Appeal',
  close: 'Close the case',
  uphold: 'Uphold (the contested outcome stands)',
  overturn: 'Overturn (the contested outcome was wrong)',
};

const ESCALATE_TO = ['senior_reviewer', 'legal', 'law_enforcement', 'ncmec', 'regulator'] as const;

/** The action a form describes, as the case service takes it; empty optional fields are left out. */
function actionFromForm(form: FormBody, session: ConsoleSession): CaseActionInput {
  const type = field(form, 'type');
  const value = (name: string) => {
    const v = field(form, name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const raw: Record<string, unknown> = { type };
  if (type === 'assign') raw.assignee = value('assignee') ?? session.user.email;
  if (type === 'note') raw.text = value('text');
  if (type === 'remove' || type === 'decline' || type === 'uphold' || type === 'overturn') raw.reason = value('reason');
  if (type === 'bank' && value('bank') !== undefined) raw.bank = value('bank');
  if (type === 'escalate') {
    raw.to = value('to');
    if (value('note') !== undefined) raw.note = value('note');
  }
  if (type === 'notify') raw.message = value('message');
  if (type === 'close' && value('note') !== undefined) raw.note = value('note');
  return parseInput(caseActionSchema, raw, 'form');
}

/** What the confirmation says the action will do, in words. */
function describeAction(input: CaseActionInput): Html {
  switch (input.type) {
    case 'assign':
      return html`Assign the case to <strong>${input.assignee}</strong>.`;
    case 'note':
      return html`Add this note to the history: <q>${input.text}</q>`;
    case 'remove':
      return html`Tell the platform to <strong>take the content down</strong>, with this statement of reasons: <q>${input.reason}</q>`;
    case 'decline':
      return html`<strong>Keep the content up</strong> (no violation found), with this statement of reasons: <q>${input.reason}</q>`;
    case 'bank':
      return html`Put the reported image's hash into ${input.bank ? html`the bank <strong>${input.bank}</strong>` : 'the default bank'}, so copies are refused.`;
    case 'escalate':
      return html`Escalate the case to <strong>${input.to.replaceAll('_', ' ')}</strong>${input.note ? html` with the note <q>${input.note}</q>` : ''}.`;
    case 'notify':
      return html`Send the reporters this reply: <q>${input.message}</q>`;
    case 'appeal':
      return html`Appeal the outcome: <q>${input.reason}</q>`;
    case 'uphold':
      return html`<strong>Uphold</strong> the contested outcome, telling the appellant: <q>${input.reason}</q>`;
    case 'overturn':
      return html`<strong>Overturn</strong> the contested outcome, telling the appellant: <q>${input.reason}</q>`;
    case 'close':
      return html`Close the case${input.note ? html` with the note <q>${input.note}</q>` : ''}. Nothing more will happen on it.`;
  }
}

function hiddenFields(input: CaseActionInput): Html {
  return html`${Object.entries(input).map(([name, value]) => html`<input type="hidden" name="${name}" value="${String(value)}" />`)}`;
}

function actionForm(id: string, action: CaseAction, session: ConsoleSession): Html {
  const field = (name: string, label: string, control: Html, hint?: string) =>
    html`<label for="${action}-${name}">${label}</label>${hint ? html`<p class="hint" id="${action}-${name}-hint">${hint}</p>` : ''}${control}`;
  const text = (name: string, label: string, required: boolean, hint?: string) =>
    field(
      name,
      label,
      html`<textarea
        id="${action}-${name}"
        name="${name}"
        ${required ? html`required` : ''}
        maxlength="10000"
        ${hint ? html`aria-describedby="${action}-${name}-hint"` : ''}
      ></textarea>`,
      hint,
    );
  let controls: Html;
  switch (action) {
    case 'assign':
      controls = field('assignee', 'Assignee', html`<input id="assign-assignee" name="assignee" type="text" value="${session.user.email}" required />`);
      break;
    case 'note':
      controls = text('text', 'Note', true);
      break;
    case 'remove':
    case 'decline':
      controls = text('reason', 'Statement of reasons', true, 'The reporter and the uploader read this: say what was decided and why.');
      break;
    case 'bank':
      controls = field(
        'bank',
        'Bank (optional)',
        html`<input id="bank-bank" name="bank" type="text" aria-describedby="bank-bank-hint" />`,
        "Empty: the depicted person's NCII bank when they reported, else the first takedown bank.",
      );
      break;
    case 'escalate':
      controls = html`${field(
        'to',
        'Escalate to',
        html`<select id="escalate-to" name="to">
          ${ESCALATE_TO.map((to) => html`<option value="${to}">${to.replaceAll('_', ' ')}</option>`)}
        </select>`,
      )}${text('note', 'What they need to know (optional)', false)}`;
      break;
    case 'notify':
      controls = text('message', 'Reply', true, 'Sent to the platform, which passes it to the reporters.');
      break;
    case 'close':
      controls = text('note', 'Closing note (optional)', false);
      break;
    case 'appeal':
      controls = text('reason', 'What the appeal contests', true);
      break;
    case 'uphold':
    case 'overturn':
      controls = text('reason', 'Reason', true, 'Sent to the appellant: say what was decided on the appeal and why.');
      break;
  }
  return html`<form method="post" action="/console/cases/${id}/actions" class="action" id="action-${action}">
    <fieldset>
      <legend>${ACTION_LABELS[action]}</legend>
      <input type="hidden" name="csrf" value="${session.csrf}" />
      <input type="hidden" name="type" value="${action}" />
      ${controls}
      <p><button type="submit" class="${action === 'remove' || action === 'decline' ? 'danger' : ''}">${ACTION_LABELS[action]}…</button></p>
    </fieldset>
  </form>`;
}

/** The prompt of a decision with the words that fired marked, and the list of what fired. */
function decisionBlock(relation: 'opened_on' | 'request' | 'output', record: DecisionRecord): Html {
  const title = {
    opened_on: 'The screening decision the case was opened on',
    request: 'The request that generated the reported image',
    output: 'The generated output',
  }[relation];
  const spans: Span[] = [];
  const listed: Array<{ text: string; label: string }> = [];
  for (const reason of record.reasons) {
    for (const evidence of reason.evidence) {
      if (evidence.source === 'text' && evidence.span) {
        spans.push({ start: evidence.span[0], end: evidence.span[1], label: evidence.fact.replaceAll('_', ' ') });
        listed.push({ text: evidence.text ?? '', label: `${reason.rule} · ${evidence.fact}: ${evidence.detail}` });
      }
    }
  }
  for (const evidence of [...(record.signals.text?.evidence ?? []), ...(record.signals.text?.model?.evidence ?? [])]) {
    spans.push({ start: evidence.start, end: evidence.end, label: evidence.signal.replaceAll('_', ' ') });
  }
  const matches = record.reasons.flatMap((r) => r.evidence.filter((e) => e.source === 'bank' || e.source === 'consent').map((e) => ({ rule: r.rule, ...e })));
  return html`<section class="decision" aria-labelledby="dec-${record.id}">
    <h3 id="dec-${record.id}">${title}</h3>
    <p>
      <span class="mono">${record.id}</span> · ${record.stage} · <strong>${record.decision}</strong> · ${record.createdAt.slice(0, 19).replace('T', ' ')} UTC
      ${record.requester ? html` · requester <span class="mono">${record.requester.id}</span>` : ''}
    </p>
    ${record.prompt !== null ? html`<p class="prompt"><span class="label">Prompt:</span> ${highlight(record.prompt, spans)}</p>` : ''}
    ${
      record.reasons.length > 0
        ? html`<ul class="reasons">
            ${record.reasons.map((r) => html`<li><code>${r.rule}</code> (${r.category.replaceAll('_', ' ')}): ${r.message}</li>`)}
          </ul>`
        : ''
    }
    ${
      listed.length > 0
        ? html`<p class="label">Words that fired</p>
            <ul class="evidence">
              ${listed.map((e) => html`<li><mark>${e.text}</mark> — ${e.label}</li>`)}
            </ul>`
        : ''
    }
    ${
      matches.length > 0
        ? html`<p class="label">Matches</p>
            <ul>
              ${matches.map((m) => html`<li>${m.source === 'consent' ? 'Protected photo (consent withheld)' : 'Bank'}: ${m.detail}</li>`)}
            </ul>`
        : ''
    }
  </section>`;
}

function detailsText(details: unknown): string {
  if (details === null || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([key, value]) => key !== 'from' && key !== 'to' && value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key.replaceAll('_', ' ')}: ${String(value)}`)
    .join('; ');
}

function when(at: string): Html {
  return html`<time datetime="${at}">${at.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

function casePage(
  detail: CaseDetail,
  behind: Array<{ relation: 'opened_on' | 'request' | 'output'; record: DecisionRecord }>,
  audit: AuditEntry[],
  images: Html,
  session: ConsoleSession,
): Html {
  const messages = detail.events.filter((e) => e.kind === 'note' || e.kind === 'notify');
  // Banking needs the reported image's hash: without one the form would only ever fail.
  const offered = OFFERED.filter((a) => detail.allowed_actions.includes(a) && (a !== 'bank' || detail.content.image_pdq !== null));
  return html`<h1>Case <span class="mono">${detail.id}</span></h1>
    <dl class="summary">
      <dt>State</dt>
      <dd>${detail.state.replace('_', ' ')}</dd>
      <dt>Deadline</dt>
      <dd>${deadlineCell(detail)} <span class="hint">(${detail.clock.rule})</span></dd>
      <dt>Category</dt>
      <dd>${detail.category.replaceAll('_', ' ')}</dd>
      <dt>Jurisdiction</dt>
      <dd>${detail.jurisdiction}</dd>
      <dt>Assignee</dt>
      <dd>${detail.assignee ?? 'nobody'}</dd>
      <dt>Content</dt>
      <dd>
        ${detail.content.url ? html`<span class="mono">${detail.content.url}</span>` : ''}
        ${detail.content.id ? html`<span class="mono">${detail.content.id}</span>` : ''}
        ${detail.content.image_pdq ? html`<div>PDQ <span class="mono">${detail.content.image_pdq}</span></div>` : ''}
      </dd>
    </dl>

    ${images}

    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports (${detail.reports.length})</h2>
      ${
        detail.reports.length === 0
          ? html`<p>No report: the policy opened this case on a screening decision.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Reporter</th>
                  <th scope="col">Explanation</th>
                  <th scope="col">Missing from the notice</th>
                </tr>
              </thead>
              <tbody>
                ${detail.reports.map(
                  (r) =>
                    html`<tr>
                      <td>${when(r.received_at)}</td>
                      <td>
                        ${r.reporter.type.replaceAll('_', ' ')}${r.reporter.authenticated ? ' (authenticated)' : ''}
                        <div class="hint">${r.reporter.email || r.reporter.contact ? 'can be contacted' : 'no contact given'}</div>
                      </td>
                      <td>${typeof r.statements.explanation === 'string' ? r.statements.explanation : html`<span class="muted">none given</span>`}</td>
                      <td>
                        ${
                          r.missing.length === 0
                            ? 'nothing'
                            : html`<ul>
                                ${r.missing.map((m) => html`<li>${(m as { element?: string }).element ?? String(m)}</li>`)}
                              </ul>`
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>

    <section aria-labelledby="signals-heading">
      <h2 id="signals-heading">Signals and evidence</h2>
      ${behind.length === 0 ? html`<p>No screening decision is behind this case (the reported image was not generated here).</p>` : behind.map((b) => decisionBlock(b.relation, b.record))}
    </section>

    <section aria-labelledby="matches-heading">
      <h2 id="matches-heading">Bank matches</h2>
      ${
        detail.matches.length === 0
          ? html`<p>The reported image matches no bank${detail.content.image_pdq ? '' : ' (the case has no image hash)'}.</p>`
          : html`<ul>
              ${detail.matches.map((m) => html`<li><strong>${m.bank}</strong> (${m.purpose}), distance ${m.distance}</li>`)}
            </ul>`
      }
    </section>

    <section aria-labelledby="trace-heading">
      <h2 id="trace-heading">Generation ledger</h2>
      ${
        detail.trace.length === 0
          ? html`<p>The reported image was not generated through this service.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Generated</th>
                  <th scope="col">Output decision</th>
                  <th scope="col">Request</th>
                  <th scope="col">Account</th>
                  <th scope="col">Distance</th>
                </tr>
              </thead>
              <tbody>
                ${detail.trace.map(
                  (t) =>
                    html`<tr>
                      <td>${when(t.generated_at)}</td>
                      <td class="mono">${t.output_decision_id}</td>
                      <td class="mono">${t.request_id}</td>
                      <td class="mono">${t.requester_id ?? 'anonymous'}</td>
                      <td>${t.distance}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>

    <section aria-labelledby="messages-heading">
      <h2 id="messages-heading">Notes and replies</h2>
      ${
        messages.length === 0
          ? html`<p>None yet.</p>`
          : html`<ul class="messages">
              ${messages.map(
                (m) =>
                  html`<li>
                    ${when(m.at)} <strong>${m.actor}</strong> ${m.kind === 'notify' ? 'replied' : 'noted'}:
                    <q>${String((m.details as { text?: string; message?: string }).text ?? (m.details as { message?: string }).message ?? '')}</q>
                  </li>`,
              )}
            </ul>`
      }
    </section>

    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <p class="hint">Each action asks you to confirm it before anything happens, and is recorded under your name.</p>
      <div class="actions">${offered.map((a) => actionForm(detail.id, a, session))}</div>
    </section>

    ${accountActions(detail, session)}

    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <table id="history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          ${detail.events.map(
            (e) =>
              html`<tr>
                <td>${when(e.at)}</td>
                <td>${e.kind.replaceAll('_', ' ')}</td>
                <td>${e.actor}</td>
                <td>${detailsText(e.details)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>

    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <table id="audit">
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
          </tr>
        </thead>
        <tbody>
          ${audit.map(
            (a) =>
              html`<tr>
                <td>${a.seq}</td>
                <td>${when(a.createdAt)}</td>
                <td>${a.kind}</td>
                <td>${a.actor}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}

/**
 * For admins: the accounts the generation-ledger trace names as requesters, with a strike form
 * (for a request decision the trace names) and a suspend form each, confirmed on the next page,
 * then back here; both are recorded in this case's audit trail.
 */
function accountActions(detail: CaseDetail, session: ConsoleSession): Html | string {
  const accounts = [...new Set(detail.trace.map((t) => t.requester_id).filter((id): id is string => id !== null))];
  if (accounts.length === 0 || session.user.role !== 'admin') return '';
  return html`<section aria-labelledby="account-actions-heading">
    <h2 id="account-actions-heading">The requesting account${accounts.length === 1 ? '' : 's'}</h2>
    <p class="hint">
      The policy strikes refused requests by itself. Here an admin can strike the account for the request that made the reported image, or suspend it; each is
      confirmed on the next page and recorded in this case's audit trail.
    </p>
    <ul>
      ${accounts.map((a) => html`<li><a class="mono" href="/console/admin/accounts?account=${encodeURIComponent(a)}">${a}</a>: standing, strikes, appeals</li>`)}
    </ul>
    <div class="actions">
      ${accounts.map((a) => [
        strikeForm(a, [...new Set(detail.trace.filter((t) => t.requester_id === a).map((t) => t.request_id))], session, detail.id),
        suspendForm(a, session, detail.id),
      ])}
    </div>
  </section>`;
}

function revealedParam(value: unknown): number | undefined {
  return typeof value === 'string' && /^[0-9]$/.test(value) ? Number(value) : undefined;
}

function sendPage(reply: FastifyReply, title: string, body: Html, session: ConsoleSession, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      page({
        lang: 'en',
        title,
        body,
        nav: navFor(session),
        current: '/console/cases',
        user: { email: session.user.email, csrf: session.csrf },
        scripts: ['queue.js'],
      }),
    );
}

/** The case page and its actions, each confirmed before it is taken. */
export function casePageRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get<{ Params: { id: string }; Querystring: { revealed?: string } }>('/console/cases/:id', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { id } = parseInput(params, request.params, 'path');
    const detail = await ctx.cases.get(id);
    const [behind, audit, images] = await Promise.all([
      ctx.cases.decisionsBehind(detail),
      ctx.audit.about(id, 500),
      imagesSection(ctx, id, session, revealedParam(request.query.revealed)),
    ]);
    return sendPage(reply, `Case ${id}`, casePage(detail, behind, audit, images, session), session);
  });

  /**
   * The first post of an action shows what it will do and asks again; only the second, with
   * `confirm=yes`, takes it. Both carry the session's CSRF token.
   */
  app.post<{ Params: { id: string } }>('/console/cases/:id/actions', async (request, reply) => {
    const session = requirePost(ctx, request);
    const { id } = parseInput(params, request.params, 'path');
    const form = formOf(request);
    const input = actionFromForm(form, session);
    if (field(form, 'confirm') !== 'yes') {
      const detail = await ctx.cases.get(id);
      if (!detail.allowed_actions.includes(input.type)) {
        throw new PerisaiError('conflict', `A case that is ${detail.state.replace('_', ' ')} cannot take the action "${input.type}": reload the case.`);
      }
      const body = html`<h1>Confirm: ${ACTION_LABELS[input.type]}</h1>
        <p>Case <a class="mono" href="/console/cases/${id}">${id}</a> (${detail.state.replace('_', ' ')}, ${detail.category.replaceAll('_', ' ')}).</p>
        <p class="notice">${describeAction(input)}</p>
        <p>This is recorded in the case history and the audit log under <strong>${session.user.email}</strong>.</p>
        <form method="post" action="/console/cases/${id}/actions">
          <input type="hidden" name="csrf" value="${session.csrf}" />
          <input type="hidden" name="confirm" value="yes" />
          ${hiddenFields(input)}
          <p>
            <button type="submit" class="${input.type === 'remove' || input.type === 'decline' ? 'danger' : ''}" autofocus>
              Yes, ${ACTION_LABELS[input.type].toLowerCase()}
            </button>
            <a href="/console/cases/${id}">Cancel</a>
          </p>
        </form>`;
      return sendPage(reply, `Confirm ${input.type}`, body, session);
    }
    await ctx.cases.act(id, input, actorOf(session));
    return reply.redirect(`/console/cases/${id}#history`, 303);
  });
}
