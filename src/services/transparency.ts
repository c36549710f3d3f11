import { z } from 'zod';

import type { Clock } from '../domain/clock.js';
import type { Outcome } from '../domain/decision.js';
import { reportCategoryOf } from '../domain/reports.js';
import {
  aggregateTransparency,
  COUNTED_ACTIONS,
  DECIDING_ACTIONS,
  type EventFact,
  type ScreeningCount,
  transparencyCsv,
  type TransparencyReport,
} from '../domain/transparency.js';
import type { Db } from '../store/db.js';
import { inChunks } from '../store/repositories/chunked.js';
import { countStatements } from '../store/repositories/statements.js';
import { APPEAL_CONTENT_PREFIX, DECISION_CONTENT_PREFIX } from './cases.js';
import { type Period, periodSchema } from './sor.js';

export { periodSchema };

/** The fields of the transparency query, each documented for the OpenAPI document. */
export const transparencyQueryFields = {
  from: z.string().describe('Start of the period, inclusive (ISO 8601 with a time zone, e.g. 2026-11-01T00:00:00Z).'),
  to: z.string().describe('End of the period, exclusive (ISO 8601 with a time zone).'),
  format: z.enum(['json', 'csv']).default('json').describe('`json` (default) or `csv`: one row per jurisdiction and category, and a totals row.'),
};

/** The query of `GET /v1/transparency` and the options of `perisai report transparency`. */
export const transparencyQuerySchema = z.strictObject(transparencyQueryFields).transform((q, ctx) => {
  const period = periodSchema.safeParse({ from: q.from, to: q.to });
  if (!period.success) {
    for (const issue of period.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return { ...period.data, format: q.format };
});

/** The kinds of case events the figures read: counted actions, appeals, and the ones that decide a notice. */
const EVENT_KINDS = [
  ...new Set<string>([...COUNTED_ACTIONS, ...DECIDING_ACTIONS, 'appeal', 'appeal_upheld', 'appeal_overturned', 'opened', 'uphold', 'overturn']),
];

/**
 * Reads what a period's figures are made of and hands it to the pure aggregation. Screening
 * decisions are counted by the database (grouped), so a month of millions costs one scan of the
 * created_at index; reports, the cases they and the period's actions concern, and those cases'
 * events are read as rows (there are orders of magnitude fewer).
 */
export class TransparencyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async report(period: Period): Promise<TransparencyReport> {
    const [screenings, reports, periodCases, statements] = await Promise.all([
      this.screenings(period),
      this.db
        .selectFrom('reports')
        .select(['case_id', 'received_at', 'reporter_type', 'jurisdiction', 'category', 'deadline'])
        .where('received_at', '>=', period.from)
        .where('received_at', '<', period.to)
        .execute(),
      this.db
        .selectFrom('case_events')
        .select('case_id')
        .distinct()
        .where('at', '>=', period.from)
        .where('at', '<', period.to)
        .where('kind', 'in', EVENT_KINDS)
        .execute(),
      countStatements(this.db, period),
    ]);
    const caseIds = [...new Set([...reports.map((r) => r.case_id), ...periodCases.map((c) => c.case_id)])].sort();
    const [cases, events] = await Promise.all([
      inChunks(caseIds, (chunk) => this.db.selectFrom('cases').select(['id', 'jurisdiction', 'category', 'content_id']).where('id', 'in', chunk).execute()),
      inChunks(caseIds, (chunk) =>
        this.db
          .selectFrom('case_events')
          .select(['case_id', 'at', 'kind', 'actor', 'id'])
          .where('case_id', 'in', chunk)
          .where('at', '<', period.to)
          .where('kind', 'in', EVENT_KINDS)
          .orderBy('at')
          .orderBy('id')
          .execute(),
      ),
    ]);
    return aggregateTransparency(
      {
        period,
        screenings,
        reports: reports.map((r) => ({
          caseId: r.case_id,
          receivedAt: r.received_at,
          reporterType: r.reporter_type,
          jurisdiction: r.jurisdiction,
          category: r.category,
          deadline: r.deadline,
        })),
        cases: cases.map(({ content_id, ...c }) => ({
          ...c,
          decisionAppeal: content_id?.startsWith(`${APPEAL_CONTENT_PREFIX}${DECISION_CONTENT_PREFIX}`) ?? false,
        })),
        events: events.map((e): EventFact => ({ caseId: e.case_id, at: e.at, kind: e.kind, actor: e.actor })),
        statements: statements.map((s) => ({ ...s, automated: s.automated === 1 })),
      },
      this.clock.now().toISOString(),
    );
  }

  async csv(period: Period): Promise<string> {
    return transparencyCsv(await this.report(period));
  }

  /** Decisions of the period counted by the database, then folded into report categories here. */
  private async screenings(period: Period): Promise<ScreeningCount[]> {
    const rows = await this.db
      .selectFrom('decisions')
      .select(['jurisdiction', 'requester_country', 'decision', 'categories'])
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('created_at', '>=', period.from)
      .where('created_at', '<', period.to)
      .groupBy(['jurisdiction', 'requester_country', 'decision', 'categories'])
      .execute();
    return rows.map((row) => {
      const categories = JSON.parse(row.categories) as string[];
      return {
        // As a case opened on a decision takes it: the declared jurisdiction, else the requester's country, else unknown.
        jurisdiction: row.jurisdiction ?? row.requester_country ?? 'ZZ',
        category: categories.length === 0 ? 'none' : reportCategoryOf(categories),
        outcome: row.decision as Outcome,
        count: Number(row.count),
      };
    });
  }
}
