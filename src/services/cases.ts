import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { actionsAllowedIn, CASE_STATES, type CaseAction, type CaseState, nextCaseState, RUNNING_STATES } from '../domain/cases.js';
import type { Clock } from '../domain/clock.js';
import { type ClockRules, clockView, deadlineOf, JURISDICTION_PATTERN, resolveClock } from '../domain/clocks/index.js';
import type { TraceEntry } from '../domain/cybertip.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import { PerisaiError } from '../domain/errors.js';
import { REPORT_CATEGORIES, reportCategoryOf } from '../domain/reports.js';
import { listBanks } from '../store/repositories/banks.js';
import {
  type CaseEventRow,
  type CaseFilter,
  type CaseRow,
  eventsOfCase,
  findCase,
  insertCase,
  insertCaseEvent,
  listCases,
  type ReportRow,
  reportsOfCase,
  transitionCase,
} from '../store/repositories/cases.js';
import { findDecision, findDecisions } from '../store/repositories/decisions.js';
import { bankNameSchema, type BankService } from './banks.js';
import { type DecisionView, decisionView } from './decision-view.js';
import { PROTECTED_MAX_DISTANCE } from './hash-indexes.js';
import type { JobRecord } from './jobs.js';
import type { LedgerService } from './ledger.js';
import type { Matcher } from './ports.js';
import type { StatementsService } from './sor.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';
import type { DeliveryView, WebhookService } from './webhooks.js';

/** Builds the child-safety report package when a case is escalated to NCMEC (services/escalations.ts). */
export interface CaseEscalations {
  traceForCase(row: CaseRow): Promise<TraceEntry[]>;
  fromCase(tx: Tx, row: CaseRow, actor: string, note: string | null, trace: TraceEntry[]): Promise<string>;
}

export const caseIdSchema = z.string().regex(/^case_[0-9a-f]{32}$/, "must be a case id as a report's receipt names it, e.g. case_3f1c…");

const reason = z.string().trim().min(1, 'is empty: say why, in a sentence the reporter can read').max(2000);

const ACTION_MEANINGS: Record<CaseAction, string> = {
  assign: 'give the case to a reviewer',
  note: 'add a note to the history',
  remove: 'take the content down (content.remove webhook)',
  bank: "put the reported image's hash into a bank, so copies are refused",
  decline: 'keep the content up: no violation found',
  escalate: 'hand the case on (case.escalated webhook)',
  notify: 'tell the reporters the outcome (report.outcome webhook)',
  appeal: 'contest the outcome',
  close: 'nothing more will happen',
  uphold: 'decide an appeal: what it contests stands (appeal.decided webhook)',
  overturn: 'decide an appeal: what it contests is undone: strikes lifted, content restored or removed (appeal.decided webhook)',
};
const actionType = <T extends CaseAction>(type: T) => z.literal(type).describe(`"${type}": ${ACTION_MEANINGS[type]}.`);

/** The body of `POST /v1/cases/{id}/actions`: one action, named by `action`. */
export const caseActionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: actionType('assign'), assignee: z.string().trim().min(1).max(128).describe('Who works the case: a reviewer id or team.') }),
    z.strictObject({ type: actionType('note'), text: z.string().trim().min(1).max(10_000).describe('A note for the case history.') }),
    z.strictObject({
      type: actionType('remove'),
      reason: reason.describe('The statement of reasons sent with the removal (DSA Art. 17).'),
    }),
    z.strictObject({
      type: actionType('bank'),
      bank: bankNameSchema
        .optional()
        .describe(
          'The bank that receives the reported image PDQ; default: the first ncii bank when the depicted person reported, else the first takedown bank.',
        ),
    }),
    z.strictObject({ type: actionType('decline'), reason: reason.describe('Why the content stays up: the statement of reasons.') }),
    z.strictObject({
      type: actionType('escalate'),
      to: z
        .enum(['senior_reviewer', 'legal', 'law_enforcement', 'ncmec', 'regulator'])
        .describe(
          'Who the case is escalated to; `ncmec` also builds the CyberTipline report package for a person to check and submit (Perisai never submits it).',
        ),
      note: z.string().trim().min(1).max(10_000).optional().describe('What they need to know.'),
    }),
    z.strictObject({
      type: actionType('notify'),
      message: z.string().trim().min(1).max(10_000).describe('What the platform should tell the reporters, sent in a report.outcome webhook.'),
    }),
    z.strictObject({ type: actionType('appeal'), reason: reason.describe('What the appeal contests.') }),
    z.strictObject({ type: actionType('close'), note: z.string().trim().min(1).max(10_000).optional().describe('A closing note.') }),
    z.strictObject({ type: actionType('uphold'), reason: reason.describe('Why the contested outcome stands: sent to the appellant.') }),
    z.strictObject({ type: actionType('overturn'), reason: reason.describe('Why the contested outcome was wrong: sent to the appellant.') }),
  ],
  { error: `must name the action in "type": one of assign, note, remove, bank, decline, escalate, notify, appeal, close, uphold, overturn` },
);
export type CaseActionInput = z.output<typeof caseActionSchema>;

export const caseListQuerySchema = z.strictObject({
  state: z.enum(CASE_STATES).optional().describe('Only cases in this state.'),
  jurisdiction: z
    .string()
    .regex(JURISDICTION_PATTERN, 'use an ISO 3166-1 alpha-2 code in capitals, or EU')
    .optional()
    .describe('Only cases of this jurisdiction.'),
  category: z.enum(REPORT_CATEGORIES).optional().describe('Only cases of this report category.'),
  assignee: z.string().trim().min(1).max(128).optional().describe('Only cases assigned to this reviewer.'),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: only cases whose deadline has passed and that still await a decision (open, in review, appealed).'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Cases per page, 1 to 500.'),
  cursor: z.string().max(300).optional().describe('The `next_cursor` of the previous page.'),
});
export type CaseListQuery = z.output<typeof caseListQuerySchema>;

export interface CaseView {
  id: string;
  state: CaseState;
  jurisdiction: string;
  category: string;
  content: { id: string | null; url: string | null; image_sha256: string | null; image_pdq: string | null };
  assignee: string | null;
  automated: boolean;
  opened_at: string;
  updated_at: string;
  clock: { deadline: string; time_left_seconds: number; overdue: boolean; rule: string; basis?: string; source?: unknown };
  /** What a reviewer may do next. */
  allowed_actions: CaseAction[];
}

export interface CaseDetail extends CaseView {
  reports: Array<{
    id: string;
    received_at: string;
    reporter: { type: string; authenticated: boolean; name: string | null; email: string | null; contact: string | null };
    jurisdiction: string;
    category: string;
    content: { id: string | null; url: string | null; image_sha256: string | null };
    statements: Record<string, unknown>;
    missing: unknown[];
    rule: string;
    deadline: string;
  }>;
  events: Array<{ at: string; kind: string; actor: string; details: unknown }>;
  webhooks: DeliveryView[];
  /**
   * Where the reported image came from, if this service generated it: the screened outputs it is
   * a near-duplicate of, with the request and account that produced each (the account to strike).
   */
  trace: Array<{ output_decision_id: string; request_id: string; requester_id: string | null; distance: number; generated_at: string }>;
  /** The banks the reported image matches now (known content, earlier takedowns). */
  matches: Array<{ bank: string; purpose: string; distance: number }>;
  /** For a case the policy opened: the decision it was opened on, with its reasons and signals. */
  decision: DecisionView | null;
}

export interface CasePage {
  cases: CaseView[];
  next_cursor: string | null;
}

export interface CasesServiceOptions {
  uow: UnitOfWork;
  clock: Clock;
  clockRules: () => ClockRules;
  banks: BankService;
  webhooks: WebhookService;
  ledger: LedgerService;
  /** Matches the reported image against the banks, for the case page. */
  bankMatcher?: Matcher;
  /** Writes the statement of reasons of every removal and banking, in the action's transaction. */
  statements?: StatementsService;
  /** Decides appeal cases (uphold, overturn); see services/appeals.ts. */
  appeals?: AppealDecider;
  /** With it, escalating to "ncmec" builds the CyberTipline package for a person to submit. */
  escalations?: CaseEscalations;
}

/** What upholding or overturning an appeal does besides closing it; returns what its history entry records. */
export interface AppealDecider {
  decide(tx: Tx, appeal: CaseRow, outcome: 'uphold' | 'overturn', reason: string, actor: string): Promise<Record<string, unknown>>;
}

/** The content id of an appeal case: this prefix, then `decision:<id>` or `case:<id>` of what it contests. */
export const APPEAL_CONTENT_PREFIX = 'appeal:';

export function isAppealCase(row: Pick<CaseRow, 'content_id'>): boolean {
  return row.content_id?.startsWith(APPEAL_CONTENT_PREFIX) ?? false;
}

/** The decision a case is about: the one the policy opened it on, or the one an appeal contests. */
function decisionOfCase(row: CaseRow): string | undefined {
  const id = isAppealCase(row) ? row.content_id!.slice(APPEAL_CONTENT_PREFIX.length) : row.content_id;
  return id?.startsWith(DECISION_CONTENT_PREFIX) ? id.slice(DECISION_CONTENT_PREFIX.length) : undefined;
}

/**
 * The reviewer's side of a case: the queue by deadline, one case with its reports and history,
 * and the actions. Each action is one transaction: the state moves only if no one moved it first,
 * and the history row, the audit entry and any webhook commit with it or not at all.
 */
export class CasesService {
  constructor(private readonly options: CasesServiceOptions) {}

  async list(query: CaseListQuery): Promise<CasePage> {
    const now = this.options.clock.now();
    const filter: CaseFilter = {
      state: query.state,
      jurisdiction: query.jurisdiction,
      category: query.category,
      assignee: query.assignee,
      deadlineBy: query.overdue === 'true' ? now.toISOString() : undefined,
    };
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.queuePage(filter, query.overdue === 'true', after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      cases: page.map((row) => this.view(row, now)),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  /**
   * Overdue means a decision is still owed: only running cases (open, in review, appealed). Each
   * running state is read through its own (state, deadline, id) index range and the pages merged,
   * so old closed cases, however many, are never scanned past.
   */
  private async queuePage(filter: CaseFilter, overdue: boolean, after: { deadline: string; id: string } | undefined, limit: number): Promise<CaseRow[]> {
    const db = this.options.uow.db;
    if (!overdue) return listCases(db, filter, after, limit);
    const states = filter.state === undefined ? RUNNING_STATES : RUNNING_STATES.filter((state) => state === filter.state);
    const pages = await Promise.all(states.map((state) => listCases(db, { ...filter, state }, after, limit)));
    return pages
      .flat()
      .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
  }

  async get(id: string): Promise<CaseDetail> {
    const db = this.options.uow.db;
    const row = await this.find(id, db);
    const [reports, events, webhooks, trace, matches, decision] = await Promise.all([
      reportsOfCase(db, id),
      eventsOfCase(db, id),
      this.options.webhooks.deliveriesFor(id),
      this.trace(row),
      this.matches(row),
      decisionOfCase(row) === undefined ? undefined : findDecision(db, decisionOfCase(row)!),
    ]);
    return {
      ...this.view(row, this.options.clock.now()),
      reports: reports.map(reportView),
      events: events.map(eventView),
      webhooks,
      trace,
      matches,
      decision: decision ? decisionView(decision) : null,
    };
  }

  /**
   * The screening decisions behind a case, for a reviewer: the one it was opened on, and for
   * each generated output the reported image traces to, the request that asked for it (its
   * prompt, and the evidence spans that fired in it) and the output's own decision.
   */
  async decisionsBehind(detail: CaseDetail): Promise<Array<{ relation: 'opened_on' | 'request' | 'output'; record: DecisionRecord }>> {
    const wanted: Array<{ relation: 'opened_on' | 'request' | 'output'; id: string }> = [];
    if (detail.decision) wanted.push({ relation: 'opened_on', id: detail.decision.id });
    for (const entry of detail.trace) {
      wanted.push({ relation: 'request', id: entry.request_id }, { relation: 'output', id: entry.output_decision_id });
    }
    const seen = new Set<string>();
    const unique = wanted.filter((w) => !seen.has(w.id) && seen.add(w.id));
    const records = await findDecisions(
      this.options.uow.db,
      unique.map((w) => w.id),
    );
    return unique.flatMap((w) => {
      const record = records.get(w.id);
      return record ? [{ relation: w.relation, record }] : [];
    });
  }

  private async matches(row: CaseRow): Promise<CaseDetail['matches']> {
    if (!this.options.bankMatcher || (row.image_pdq === null && row.image_sha256 === null)) return [];
    const image = {
      index: 0,
      sha256: row.image_sha256 ?? '',
      bytes: 0,
      ...(row.image_pdq !== null && row.image_pdq_quality !== null ? { pdq: { hash: row.image_pdq, quality: row.image_pdq_quality } } : {}),
    };
    const found = await this.options.bankMatcher.match({ stage: 'request', requesterId: null, images: [image] });
    return (found.bankMatches ?? []).map((m) => ({ bank: m.bank, purpose: m.purpose, distance: m.distance })).sort((a, b) => a.distance - b.distance);
  }

  /**
   * Opens the case a policy rule asked for (`open_case`) on a screening decision: a person must
   * look at what the detectors caught. Run from the outbox, so it may run twice: a decision gets
   * one case however often its job runs. Returns the case id.
   */
  async openFromDecision(decisionId: string): Promise<string> {
    return this.options.uow.run(async (tx) => {
      const contentId = `${DECISION_CONTENT_PREFIX}${decisionId}`;
      const existing = await tx.db.selectFrom('cases').select('id').where('content_id', '=', contentId).executeTakeFirst();
      if (existing) return existing.id;
      const record = await findDecision(tx.db, decisionId);
      if (!record) throw new PerisaiError('not_found', `No decision has the id ${decisionId}: the open_case job refers to a decision that is not stored.`);
      // Unknown jurisdiction is ZZ (CLDR's "unknown region"): only rules without a jurisdiction apply.
      const jurisdiction = record.jurisdiction ?? record.requester?.country ?? 'ZZ';
      const category = reportCategoryOf(record.categories);
      const rules = this.options.clockRules();
      const rule = resolveClock(rules, { jurisdiction, reporterType: 'detection', category, at: new Date(tx.at) });
      const deadline = deadlineOf(rule, new Date(tx.at)).toISOString();
      const image = record.signals.images.find((i) => i.pdq !== undefined) ?? record.signals.images[0];
      const id = `case_${randomUUID().replaceAll('-', '')}`;
      await insertCase(tx.db, {
        id,
        jurisdiction,
        category,
        content_id: contentId,
        content_url: null,
        image_pdq: image?.pdq?.hash ?? null,
        image_pdq_quality: image?.pdq?.quality ?? null,
        image_sha256: image?.sha256 ?? null,
        rule_id: rule.id,
        clock_version: rules.version,
        opened_at: tx.at,
        deadline,
        automated: 1,
      });
      const details = { decision: record.id, stage: record.stage, rules: record.reasons.map((r) => r.rule), rule: rule.id, deadline };
      await insertCaseEvent(tx.db, { caseId: id, at: tx.at, kind: 'opened', actor: POLICY_ACTOR, payload: details });
      await tx.audit([{ kind: 'case.opened', subject: id, actor: POLICY_ACTOR, payload: details }]);
      return id;
    });
  }

  /** The job handler for `open_case` jobs (see decision-recorder.ts `actionJobs`). */
  readonly openCaseHandler = async (job: JobRecord): Promise<void> => {
    const decisionId = (job.payload as { decision_id?: unknown }).decision_id;
    if (typeof decisionId !== 'string') throw new Error(`open_case job ${job.id} has no decision_id`);
    await this.openFromDecision(decisionId);
  };

  private async trace(row: CaseRow): Promise<CaseDetail['trace']> {
    if (row.image_pdq === null && row.image_sha256 === null) return [];
    const matches = await this.options.ledger.lookup({
      ...(row.image_pdq === null ? {} : { pdq: row.image_pdq }),
      ...(row.image_sha256 === null ? {} : { sha256: row.image_sha256 }),
      max_distance: PROTECTED_MAX_DISTANCE,
    });
    return matches.map((m) => ({
      output_decision_id: m.decisionId,
      request_id: m.requestId,
      requester_id: m.requesterId,
      distance: m.distance,
      generated_at: m.createdAt,
    }));
  }

  async act(id: string, input: CaseActionInput, actor: string): Promise<CaseDetail> {
    // The ledger is searched before the transaction: its index is read outside it.
    const escalations = this.options.escalations;
    const trace = input.type === 'escalate' && input.to === 'ncmec' && escalations ? await escalations.traceForCase(await this.find(id)) : [];
    await this.options.uow.run(async (tx) => {
      const row = await this.find(id, tx.db);
      const from = row.state as CaseState;
      const to = nextCaseState(from, input.type, isAppealCase(row));
      const details = await this.effects(tx, row, input, actor);
      if (input.type === 'escalate' && input.to === 'ncmec' && escalations) {
        // Prepared for a person to submit; Perisai never sends it to NCMEC itself.
        details.package = await escalations.fromCase(tx, row, actor, input.note ?? null, trace);
      }
      const changes: Partial<CaseRow> = { state: to, updated_at: tx.at };
      if (input.type === 'assign') changes.assignee = input.assignee;
      if (!(await transitionCase(tx.db, id, from, changes))) {
        throw new PerisaiError('conflict', `Case ${id} changed while this action was being taken: reload it and decide again.`);
      }
      await insertCaseEvent(tx.db, { caseId: id, at: tx.at, kind: input.type, actor, payload: { from, to, ...details } });
      await tx.audit([{ kind: `case.${input.type}`, subject: id, actor, payload: { from, to, ...details } }]);
    });
    return this.get(id);
  }

  /** What an action does besides moving the state; returns what its history entry records. */
  private async effects(tx: Tx, row: CaseRow, input: CaseActionInput, actor: string): Promise<Record<string, unknown>> {
    const content = { case_id: row.id, content_id: row.content_id, content_url: row.content_url, image_sha256: row.image_sha256 };
    switch (input.type) {
      case 'assign':
        return { assignee: input.assignee };
      case 'note':
        return { text: input.text };
      case 'remove': {
        const delivery = await this.options.webhooks.enqueue(tx, {
          type: 'content.remove',
          subject: { caseId: row.id },
          payload: { ...content, category: row.category, jurisdiction: row.jurisdiction, reason: input.reason },
        });
        const statement = await this.options.statements?.recordForCase(tx, row, 'content_removed', actor);
        return { reason: input.reason, webhook: delivery, ...(statement ? { statement } : {}) };
      }
      case 'bank': {
        if (row.image_pdq === null || row.image_pdq_quality === null) {
          throw new PerisaiError(
            'conflict',
            `Case ${row.id} has no reported image to bank: a report with content.image gives it one, or import the hash into the bank with perisai bank import.`,
          );
        }
        const bank = input.bank ?? (await this.defaultBank(tx, row.id));
        const result = await this.options.banks.import(
          bank,
          [{ pdq: row.image_pdq, quality: row.image_pdq_quality, sha256: row.image_sha256, label: row.id, source: 'case', category: row.category }],
          actor,
          tx,
        );
        // Banking restricts copies of the content; after a removal, the removal's statement already covers it.
        const statements = this.options.statements;
        const statement =
          statements && !(await statements.caseHas(tx, row.id, 'content_removed'))
            ? await statements.recordForCase(tx, row, 'content_disabled', actor)
            : undefined;
        return { bank, pdq: row.image_pdq, added: result.added === 1, ...(statement ? { statement } : {}) };
      }
      case 'decline':
        return { reason: input.reason };
      case 'escalate': {
        const delivery = await this.options.webhooks.enqueue(tx, {
          type: 'case.escalated',
          subject: { caseId: row.id },
          payload: { ...content, category: row.category, to: input.to, note: input.note ?? null },
        });
        return { to: input.to, note: input.note ?? null, webhook: delivery };
      }
      case 'notify': {
        const delivery = await this.options.webhooks.enqueue(tx, {
          type: 'report.outcome',
          subject: { caseId: row.id },
          payload: { case_id: row.id, state: row.state, message: input.message, reports: (await reportsOfCase(tx.db, row.id)).map((r) => r.id) },
        });
        return { message: input.message, webhook: delivery };
      }
      case 'appeal':
        return { reason: input.reason };
      case 'close':
        return { note: input.note ?? null };
      case 'uphold':
      case 'overturn':
        if (!this.options.appeals)
          throw new PerisaiError('conflict', 'Appeals are not handled by this service: decide the appeal where appeals are configured.');
        return { reason: input.reason, ...(await this.options.appeals.decide(tx, row, input.type, input.reason, actor)) };
    }
  }

  /** Intimate imagery reported by the person it shows goes to their NCII bank; anything else to takedowns. */
  private async defaultBank(tx: Tx, caseId: string): Promise<string> {
    const byVictim = (await reportsOfCase(tx.db, caseId)).some((r) => r.reporter_type === 'depicted_person');
    const purpose = byVictim ? 'ncii' : 'takedown';
    const bank = (await listBanks(tx.db)).filter((b) => b.purpose === purpose && b.active).sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!bank) {
      throw new PerisaiError(
        'conflict',
        `No active bank of purpose ${purpose} exists to bank this case in: create one (purpose ${purpose}) or name the bank in "bank".`,
      );
    }
    return bank.name;
  }

  private async find(id: string, db = this.options.uow.db): Promise<CaseRow> {
    const row = await findCase(db, id);
    if (!row) throw new PerisaiError('not_found', `No case has the id ${id}: take the id from a report's receipt or from the case queue.`);
    return row;
  }

  private view(row: CaseRow, now: Date): CaseView {
    const rule = this.options.clockRules().rules.find((r) => r.id === row.rule_id);
    const deadline = new Date(row.deadline);
    const left = deadline.getTime() - now.getTime();
    // A rules file edited since the case opened may no longer hold its rule: the stored deadline still stands.
    const clock = rule
      ? clockView(rule, new Date(row.opened_at), deadline, now)
      : { deadline: row.deadline, time_left_seconds: Math.floor(left / 1000), overdue: left <= 0, rule: row.rule_id };
    const state = row.state as CaseState;
    return {
      id: row.id,
      state,
      jurisdiction: row.jurisdiction,
      category: row.category,
      content: { id: row.content_id, url: row.content_url, image_sha256: row.image_sha256, image_pdq: row.image_pdq },
      assignee: row.assignee,
      automated: Number(row.automated) === 1,
      opened_at: row.opened_at,
      updated_at: row.updated_at,
      clock,
      allowed_actions: actionsAllowedIn(state, isAppealCase(row)),
    };
  }
}

/** The content id of a case opened on a screening decision: this prefix and the decision id. */
export const DECISION_CONTENT_PREFIX = 'decision:';

/** The actor of cases opened on a screening decision. */
export const POLICY_ACTOR = 'policy';

function reportView(row: ReportRow): CaseDetail['reports'][number] {
  const reporter = JSON.parse(row.reporter) as { name: string | null; email: string | null; contact: string | null };
  return {
    id: row.id,
    received_at: row.received_at,
    reporter: { type: row.reporter_type, authenticated: Number(row.reporter_authenticated) === 1, ...reporter },
    jurisdiction: row.jurisdiction,
    category: row.category,
    content: { id: row.content_id, url: row.content_url, image_sha256: row.image_sha256 },
    statements: JSON.parse(row.body) as Record<string, unknown>,
    missing: JSON.parse(row.missing) as unknown[],
    rule: row.rule_id,
    deadline: row.deadline,
  };
}

function eventView(row: CaseEventRow): CaseDetail['events'][number] {
  return { at: row.at, kind: row.kind, actor: row.actor, details: JSON.parse(row.payload) as unknown };
}

/** The keyset of the last case on a page, opaque to clients. */
function encodeCursor(row: CaseRow): string {
  return Buffer.from(JSON.stringify([row.deadline, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { deadline: string; id: string } {
  try {
    const [deadline, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof deadline === 'string' && typeof id === 'string') return { deadline, id };
  } catch {
    // fall through to the error below
  }
  throw new PerisaiError('invalid_request', 'cursor is not one this server returned: pass next_cursor from the previous page unchanged.');
}
