import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import { auditEntryView, MAX_AUDIT_PAGE } from '../../services/audit.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';

const pageQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
});

/** The audit log for auditors (scope `audit`): entries page by page, and a signed checkpoint. */
export function auditRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const onRequest = requireScope(ctx.apiKeys, 'audit');

    // Keyset paging by entry number: pages never skip or repeat an entry while the log grows.
    app.get('/v1/audit', { onRequest }, async (request) => {
      const { after, limit } = parseInput(pageQuery, request.query, 'query');
      const page = await ctx.audit.entries(after, limit);
      return { entries: page.entries.map(auditEntryView), next_after: page.next };
    });

    app.get('/v1/audit/checkpoint', { onRequest }, async () => ctx.audit.checkpoint());
  };
}
