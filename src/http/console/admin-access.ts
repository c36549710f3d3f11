import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { type Scope, SCOPES } from '../../services/api-keys.js';
import { CONSOLE_ROLES, consoleEmailSchema } from '../../services/console-users.js';
import { parseInput } from '../../services/parse-input.js';
import { adminForPage, adminForPost, confirmStep, sendAdminPage, when } from './admin.js';
import { html } from './html.js';
import { actorOf, field, fields, formOf } from './session.js';

const createUserForm = z.object({
  email: consoleEmailSchema,
  role: z.enum(CONSOLE_ROLES),
});
const createKeyForm = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(SCOPES)).min(1),
});
const keyIdForm = z.object({ id: z.string().trim().min(1).max(64) });

const SCOPE_HELP: Record<Scope, string> = {
  screen: 'screen requests and outputs',
  images: 'the guarded image API',
  'decisions:read': 'read screening decisions',
  consent: 'the consent registry',
  banks: 'hash banks',
  reports: 'file reports and appeals',
  cases: 'work cases',
  enforcement: 'account strikes and suspensions',
  audit: 'read the audit log',
  metrics: 'metrics',
  admin: 'everything',
};

/** Console users and API keys for admins: list, create (the secret shown once), disable or revoke. */
export function adminAccessRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get('/console/admin/users', async (request, reply) => {
    const session = adminForPage(request, reply);
    if (!session) return reply;
    const users = await ctx.consoleUsers.list();
    const body = html`<h1>Console users</h1>
      <table id="users">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col"><span class="visually-hidden">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${users.map(
            (user) =>
              html`<tr>
                <td>${user.email}</td>
                <td>${user.role}</td>
                <td>
                  ${user.disabled ? 'disabled' : user.lockedUntil && user.lockedUntil > ctx.clock.now().toISOString() ? html`locked until ${when(user.lockedUntil)}` : 'active'}
                </td>
                <td>${when(user.createdAt)}</td>
                <td>
                  ${
                    user.disabled || user.email === session.user.email
                      ? ''
                      : html`<form method="post" action="/console/admin/users/disable">
                          <input type="hidden" name="csrf" value="${session.csrf}" />
                          <input type="hidden" name="email" value="${user.email}" />
                          <button type="submit" class="danger">Disable<span class="visually-hidden"> ${user.email}</span>…</button>
                        </form>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <section aria-labelledby="create-user-heading">
        <h2 id="create-user-heading">Create a user</h2>
        <form method="post" action="/console/admin/users" id="user-create">
          <input type="hidden" name="csrf" value="${session.csrf}" />
          <label for="user-email">Email</label>
          <input id="user-email" name="email" type="email" required maxlength="254" autocomplete="off" />
          <label for="user-role">Role</label>
          <p class="hint" id="user-role-hint">reviewer: the queue and cases; admin: also banks, accounts, users and API keys.</p>
          <select id="user-role" name="role" aria-describedby="user-role-hint">
            ${CONSOLE_ROLES.map((role) => html`<option value="${role}">${role}</option>`)}
          </select>
          <p class="hint">A password is generated and shown once, on the next page: hand it to the person over a safe channel.</p>
          <p><button type="submit">Create the user</button></p>
        </form>
      </section>`;
    return sendAdminPage(reply, { title: 'Console users', body, session, current: '/console/admin/users' });
  });

  app.post('/console/admin/users', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const form = formOf(request);
    const { email, role } = parseInput(createUserForm, { email: field(form, 'email') ?? '', role: field(form, 'role') }, 'form');
    const created = await ctx.consoleUsers.create(email, role, undefined, actorOf(session));
    const body = html`<h1>User created</h1>
      <p>
        <strong>${created.user.email}</strong> can now sign in as <strong>${created.user.role}</strong> with this password. It is shown only this once and is
        not stored: copy it now and hand it over safely.
      </p>
      <p class="reference mono" id="generated-password">${created.generatedPassword}</p>
      <p><a href="/console/admin/users">Back to the users</a></p>`;
    return sendAdminPage(reply, { title: 'User created', body, session, current: '/console/admin/users', status: 201 });
  });

  app.post('/console/admin/users/disable', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const form = formOf(request);
    const email = (field(form, 'email') ?? '').trim().toLowerCase();
    // An admin who disables themselves is signed out with nobody left to undo it from here.
    if (email === session.user.email) throw new PerisaiError('conflict', 'You cannot disable yourself: ask another admin to do it.');
    if (field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `disable ${email}`,
        action: '/console/admin/users/disable',
        fields: { email },
        description: html`<strong>Disable</strong> the console user <strong>${email}</strong>: every session of theirs ends at once and they can no longer sign
          in.`,
        session,
        cancel: '/console/admin/users',
        button: 'Yes, disable the user',
      });
      return sendAdminPage(reply, { title: `Confirm disabling ${email}`, body, session, current: '/console/admin/users' });
    }
    await ctx.consoleUsers.disable(email, actorOf(session));
    return reply.redirect('/console/admin/users', 303);
  });

  app.get('/console/admin/keys', async (request, reply) => {
    const session = adminForPage(request, reply);
    if (!session) return reply;
    const keys = await ctx.apiKeys.list();
    const body = html`<h1>API keys</h1>
      <p class="hint">Only each key's SHA-256 is stored: a secret is shown once, when the key is made, and never again.</p>
      <table id="keys">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
            <th scope="col"><span class="visually-hidden">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${keys.map(
            (key) =>
              html`<tr>
                <td class="mono">${key.id}</td>
                <td>${key.name}</td>
                <td>${key.scopes.join(' ')}</td>
                <td>${when(key.createdAt)}</td>
                <td>${key.revokedAt ? html`revoked ${when(key.revokedAt)}` : 'active'}</td>
                <td>
                  ${
                    key.revokedAt
                      ? ''
                      : html`<form method="post" action="/console/admin/keys/revoke">
                          <input type="hidden" name="csrf" value="${session.csrf}" />
                          <input type="hidden" name="id" value="${key.id}" />
                          <button type="submit" class="danger">Revoke<span class="visually-hidden"> ${key.id}</span>…</button>
                        </form>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <section aria-labelledby="create-key-heading">
        <h2 id="create-key-heading">Create a key</h2>
        <form method="post" action="/console/admin/keys" id="key-create">
          <input type="hidden" name="csrf" value="${session.csrf}" />
          <label for="key-name">Name</label>
          <p class="hint" id="key-name-hint">Who or what uses it, e.g. "image service, production".</p>
          <input id="key-name" name="name" type="text" required maxlength="200" aria-describedby="key-name-hint" />
          <fieldset>
            <legend>Scopes</legend>
            ${SCOPES.map(
              (scope) =>
                html`<div class="check">
                  <input id="scope-${scope.replace(':', '-')}" name="scopes" type="checkbox" value="${scope}" />
                  <label for="scope-${scope.replace(':', '-')}"><code>${scope}</code>: ${SCOPE_HELP[scope]}</label>
                </div>`,
            )}
          </fieldset>
          <p><button type="submit">Create the key</button></p>
        </form>
      </section>`;
    return sendAdminPage(reply, { title: 'API keys', body, session, current: '/console/admin/keys' });
  });

  app.post('/console/admin/keys', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const form = formOf(request);
    const { name, scopes } = parseInput(createKeyForm, { name: field(form, 'name') ?? '', scopes: fields(form, 'scopes') }, 'form');
    const created = await ctx.apiKeys.create(name, scopes, actorOf(session));
    const body = html`<h1>API key created</h1>
      <p>
        The key <span class="mono">${created.record.id}</span> (${created.record.name}) has the scopes <strong>${created.record.scopes.join(' ')}</strong>. Its
        secret is shown only this once and is not stored: copy it now into the service that uses it.
      </p>
      <p class="reference mono" id="key-secret">${created.secret}</p>
      <p><a href="/console/admin/keys">Back to the keys</a></p>`;
    return sendAdminPage(reply, { title: 'API key created', body, session, current: '/console/admin/keys', status: 201 });
  });

  app.post('/console/admin/keys/revoke', async (request, reply) => {
    const session = adminForPost(ctx, request);
    const form = formOf(request);
    const { id } = parseInput(keyIdForm, { id: field(form, 'id') ?? '' }, 'form');
    const key = (await ctx.apiKeys.list()).find((k) => k.id === id && k.revokedAt === null);
    if (!key) throw new PerisaiError('not_found', `No active API key has the id ${id}: reload the list of keys.`);
    if (field(form, 'confirm') !== 'yes') {
      const body = confirmStep({
        title: `revoke ${id}`,
        action: '/console/admin/keys/revoke',
        fields: { id },
        description: html`<strong>Revoke</strong> the API key <span class="mono">${id}</span> (${key.name}, ${key.scopes.join(' ')}): every request with it is
          refused within a second, on every instance. This cannot be undone.`,
        session,
        cancel: '/console/admin/keys',
        button: 'Yes, revoke the key',
      });
      return sendAdminPage(reply, { title: `Confirm revoking ${id}`, body, session, current: '/console/admin/keys' });
    }
    await ctx.apiKeys.revoke(id, actorOf(session));
    return reply.redirect('/console/admin/keys', 303);
  });
}
