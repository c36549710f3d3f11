import type { FastifyInstance } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { IMAGE_SHIELDS, type ImageShield, strongerShield } from '../../services/console-users.js';
import { html } from './html.js';
import { page } from './layout.js';
import { navFor } from './nav.js';
import { field, formOf, requirePost, requireSession } from './session.js';

const SHIELD_LABELS: Record<ImageShield, string> = {
  blur: 'Blurred and greyscale',
  strong: 'Strongly blurred, greyscale and small',
};

/** A reviewer's own settings: today the image shield, which can only be stronger than the organisation's. */
export function preferenceRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get<{ Querystring: { saved?: string } }>('/console/preferences', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const organisation = ctx.config.consoleImageShield;
    const current = strongerShield(organisation, session.user.imageShield);
    const allowed = IMAGE_SHIELDS.filter((s) => strongerShield(organisation, s) === s);
    const body = html`<h1>Preferences</h1>
      ${request.query.saved === '1' ? html`<p class="notice" role="status">Saved.</p>` : ''}
      <form method="post" action="/console/preferences">
        <input type="hidden" name="csrf" value="${session.csrf}" />
        <fieldset>
          <legend>How images are shown before you reveal them</legend>
          <p class="hint">The organisation's setting is "${SHIELD_LABELS[organisation]}"; you can choose the same or stronger, never weaker.</p>
          ${allowed.map(
            (s) =>
              html`<div class="check">
                <input type="radio" id="shield-${s}" name="image_shield" value="${s}" ${s === current ? html`checked` : ''} />
                <label for="shield-${s}">${SHIELD_LABELS[s]}${s === organisation ? ' (organisation default)' : ''}</label>
              </div>`,
          )}
          <p><button type="submit">Save</button></p>
        </fieldset>
      </form>`;
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        page({
          lang: 'en',
          title: 'Preferences',
          body,
          nav: navFor(session),
          current: '/console/preferences',
          user: { email: session.user.email, csrf: session.csrf },
        }),
      );
  });

  app.post('/console/preferences', async (request, reply) => {
    const session = requirePost(ctx, request);
    const chosen = field(formOf(request), 'image_shield');
    if (!(IMAGE_SHIELDS as readonly string[]).includes(chosen ?? '')) {
      throw new PerisaiError('invalid_request', `Choose how images are shown: ${IMAGE_SHIELDS.join(' or ')}.`);
    }
    const shield = chosen as ImageShield;
    // The organisation's own level is stored as "no preference", so raising the organisation later raises this person too.
    await ctx.consoleUsers.setImageShield(session, shield === ctx.config.consoleImageShield ? null : shield, ctx.config.consoleImageShield);
    return reply.redirect('/console/preferences?saved=1', 303);
  });
}
