import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { MAX_CASE_IMAGES } from '../../services/case-images.js';
import { caseIdSchema } from '../../services/cases.js';
import { type ConsoleSession, type ImageShield, strongerShield } from '../../services/console-users.js';
import { parseInput } from '../../services/parse-input.js';
import { type Html, html } from './html.js';
import { actorOf, requirePost, requireSession } from './session.js';

const imageParams = z.object({
  id: caseIdSchema,
  n: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_CASE_IMAGES - 1),
});

/** The organisation's shield, or the person's own when it is stronger. */
export function shieldOf(ctx: AppContext, session: ConsoleSession): ImageShield {
  return strongerShield(ctx.config.consoleImageShield, session.user.imageShield);
}

/**
 * The images of a case, each shielded (a blurred greyscale copy made on the server) with a
 * button that reveals that one image; `revealed` is the image this page view shows clear, and
 * only if this reviewer's reveal of it is recorded.
 */
export async function imagesSection(ctx: AppContext, caseId: string, session: ConsoleSession, revealed: number | undefined): Promise<Html> {
  const count = await ctx.caseImages.count(caseId);
  if (count === 0) return html``;
  const shield = shieldOf(ctx, session);
  const clear = revealed !== undefined && revealed < count && (await ctx.caseImages.isRevealed(caseId, revealed, actorOf(session))) ? revealed : undefined;
  const figures = Array.from({ length: count }, (_, n) => {
    const open = n === clear;
    return html`<figure class="shielded ${shield === 'strong' ? 'strong' : ''} ${open ? 'revealed' : ''}" id="image-${n}">
      <div class="frame">
        <img
          src="/console/cases/${caseId}/images/${n}${open ? '' : '/shielded'}"
          alt="${open ? `Reported image ${n + 1}, revealed` : `Reported image ${n + 1}, blurred and greyscale until revealed`}"
        />
      </div>
      <figcaption>
        ${
          open
            ? html`Image ${n + 1}, revealed by you (recorded). <a href="/console/cases/${caseId}#image-${n}">Hide it again</a>`
            : html`<form method="post" action="/console/cases/${caseId}/images/${n}/reveal">
                <input type="hidden" name="csrf" value="${session.csrf}" />
                <button type="submit" class="secondary">Reveal image ${n + 1}</button>
                <span class="hint">Revealing is recorded in the case history and the audit log.</span>
              </form>`
        }
      </figcaption>
    </figure>`;
  });
  return html`<section aria-labelledby="images-heading">
    <h2 id="images-heading">Images</h2>
    <p class="hint">Images are blurred and grey by default${shield === 'strong' ? ' (strongly, as set)' : ''}. Reveal one only when you need to see it.</p>
    <div class="images">${figures}</div>
  </section>`;
}

/** The shielded copy, the audited reveal, and the clear image for a reviewer who revealed it. */
export function caseImageRoutes(ctx: AppContext, app: FastifyInstance): void {
  app.get<{ Params: { id: string; n: string } }>('/console/cases/:id/images/:n/shielded', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { id, n } = parseInput(imageParams, request.params, 'path');
    const image = await ctx.caseImages.shielded(id, n, shieldOf(ctx, session));
    return reply.header('cache-control', 'no-store').type(image.type).send(Buffer.from(image.bytes));
  });

  app.post<{ Params: { id: string; n: string } }>('/console/cases/:id/images/:n/reveal', async (request, reply) => {
    const session = requirePost(ctx, request);
    const { id, n } = parseInput(imageParams, request.params, 'path');
    await ctx.caseImages.reveal(id, n, actorOf(session));
    return reply.redirect(`/console/cases/${id}?revealed=${n}#image-${n}`, 303);
  });

  app.get<{ Params: { id: string; n: string } }>('/console/cases/:id/images/:n', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { id, n } = parseInput(imageParams, request.params, 'path');
    const image = await ctx.caseImages.revealed(id, n, actorOf(session));
    return reply.header('cache-control', 'no-store').type(image.type).send(Buffer.from(image.bytes));
  });
}
