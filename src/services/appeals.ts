import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { accountIdSchema } from '../domain/account-id.js';
import { type CaseState, nextCaseState } from '../domain/cases.js';
import { type ClockRules, deadlineOf, resolveClock } from '../domain/clocks/index.js';
import { PerisaiError } from '../domain/errors.js';
import { type ReportCategory, reportCategoryOf } from '../domain/reports.js';
import { type AppealRow, appealsAboutAccount, decideAppeal, findAppeal, findAppealOf, insertAppeal } from '../store/repositories/appeals.js';
import { type CaseRow, findCase, insertCase, insertCaseEvent, reportsOfCase, transitionCase } from '../store/repositories/cases.js';
import { findDecision } from '../store/repositories/decisions.js';
import type { AccountsService } from './accounts.js';
import { APPEAL_CONTENT_PREFIX, type AppealDecider, caseIdSchema, DECISION_CONTENT_PREFIX, isAppealCase } from './cases.js';
import { decisionIdParam } from './decision-view.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';
import type { WebhookService } from './webhooks.js';

const contact = z
  .string()
  .trim()
  .min(1)
  .max(320)
  .optional()
  .describe('How the platform reaches the appellant (an email, a handle); returned in the appeal.decided webhook, never shown to anyone else.');

export const appealBodySchema = z
  .strictObject({
    decision_id: decisionIdParam
      .optional()
      .describe('The screening decision appealed (the account that asked contests a refusal and its strike). Give this or case_id.'),
    case_id: caseIdSchema
      .optional()
      .describe('The case appealed: a declined case by a reporter, an actioned (removed) case by the account holder. Give this or decision_id.'),
    appellant: z
      .discriminatedUnion(
        'type',
        [
          z.strictObject({
            type: z.literal('account_holder').describe('"account_holder": the account the decision or removal was about, relayed by the platform.'),
            account: accountIdSchema.describe('The account id, as screening named the requester.'),
            contact,
          }),
          z.strictObject({
            type: z.literal('reporter').describe('"reporter": someone whose report was declined.'),
            report_id: z
              .string()
              .regex(/^rep_[0-9a-f]{32}$/, 'must be a report id as the receipt names it, e.g. rep_3f1c…')
              .optional()
              .describe('The report of theirs that was declined, as its receipt named it.'),
            contact,
          }),
        ],
        { error: 'must say who appeals in "type": account_holder or reporter' },
      )
      .describe('Who appeals.'),
    reason: z
      .string()
      .trim()
      .min(1, 'is empty: say what the appellant contests and why')
      .max(5000, 'is too long: at most 5,000 characters')
      .describe('What the appellant contests and why, in their words.'),
  })
  .refine((body) => (body.decision_id === undefined) !== (body.case_id === undefined), {
    message: 'give exactly one of decision_id and case_id: the decision or the case the appeal contests',
    path: ['decision_id'],
  });
export type AppealInput = z.output<typeof appealBodySchema>;

export interface AppealReceipt {
  /** The appeal case's id: act on it with uphold or overturn. */
  id: string;
  appeal_of: { decision_id: string | null; case_id: string | null };
  state: CaseState;
  deadline: string;
  rule: { id: string; hours: number; basis: string };
}

/** An appeal as the account page lists it (no contact of the appellant). */
export interface AccountAppealView {
  case_id: string;
  /** `decision:<id>` or `case:<id>`. */
  appeal_of: string;
  appellant_type: string;
  reason: string;
  opened_at: string;
  outcome: string | null;
  decided_at: string | null;
  decided_by: string | null;
}

export interface AppealsServiceOptions {
  uow: UnitOfWork;
  clockRules: () => ClockRules;
  webhooks: WebhookService;
  accounts: AccountsService;
}

/**
 * Appeals (DSA Art. 20): opening one makes an appeal case, with its own clock, linked to the
 * decision or case it contests; deciding it (the case actions uphold and overturn) lifts strikes,
 * restores or removes content, and tells the appellant. One appeal per decision or case.
 */
export class AppealsService implements AppealDecider {
  constructor(private readonly options: AppealsServiceOptions) {}

  async open(input: AppealInput, actor: string): Promise<AppealReceipt> {
    return this.options.uow.run(async (tx) => {
      const target =
        input.decision_id !== undefined ? await this.decisionTarget(tx, input, input.decision_id) : await this.caseTarget(tx, input, input.case_id!);
      const earlier = await findAppealOf(tx.db, target.appealOf);
      if (earlier) {
        throw new PerisaiError(
          'conflict',
          `This ${input.decision_id !== undefined ? 'decision' : 'case'} was already appealed (appeal case ${earlier.case_id}): an outcome is appealed once; read that case for its outcome.`,
        );
      }
      const rules = this.options.clockRules();
      const rule = resolveClock(rules, {
        jurisdiction: target.jurisdiction,
        reporterType: 'user',
        category: target.category,
        at: new Date(tx.at),
        appeal: true,
      });
      const deadline = deadlineOf(rule, new Date(tx.at)).toISOString();
      const id = `case_${randomUUID().replaceAll('-', '')}`;
      const original = target.original;
      await insertCase(tx.db, {
        id,
        jurisdiction: target.jurisdiction,
        category: target.category,
        content_id: `${APPEAL_CONTENT_PREFIX}${target.appealOf}`,
        content_url: original?.content_url ?? null,
        image_pdq: original?.image_pdq ?? null,
        image_pdq_quality: original?.image_pdq_quality ?? null,
        image_sha256: original?.image_sha256 ?? null,
        rule_id: rule.id,
        clock_version: rules.version,
        opened_at: tx.at,
        deadline,
        automated: 0,
      });
      await insertAppeal(tx.db, {
        case_id: id,
        appeal_of: target.appealOf,
        decision_id: target.decisionId,
        original_case_id: original?.id ?? null,
        original_state: original?.state ?? null,
        appellant_type: input.appellant.type,
        appellant: JSON.stringify(input.appellant),
        reason: input.reason,
        opened_at: tx.at,
        opened_by: actor,
        outcome: null,
        decided_at: null,
        decided_by: null,
      });
      const details = { appeal_of: target.appealOf, appellant: input.appellant.type, reason: input.reason, rule: rule.id, deadline };
      await insertCaseEvent(tx.db, { caseId: id, at: tx.at, kind: 'opened', actor, payload: details });
      if (original) {
        const from = original.state as CaseState;
        const to = nextCaseState(from, 'appeal');
        if (!(await transitionCase(tx.db, original.id, from, { state: to, updated_at: tx.at }))) {
          throw new PerisaiError('conflict', `Case ${original.id} changed while the appeal was being opened: send the appeal again.`);
        }
        await insertCaseEvent(tx.db, { caseId: original.id, at: tx.at, kind: 'appeal', actor, payload: { from, to, appeal: id, reason: input.reason } });
      }
      // The appellant's contact stays in the appeal row; the chain records who appealed what, not how to reach them.
      await tx.audit([
        { kind: 'appeal.opened', subject: id, actor, payload: { appeal_of: target.appealOf, appellant: input.appellant.type, rule: rule.id, deadline } },
      ]);
      return {
        id,
        appeal_of: { decision_id: input.decision_id ?? null, case_id: input.case_id ?? null },
        state: 'open',
        deadline,
        rule: { id: rule.id, hours: rule.hours, basis: rule.basis },
      };
    });
  }

  private async decisionTarget(tx: Tx, input: AppealInput, decisionId: string) {
    if (input.appellant.type !== 'account_holder') {
      throw new PerisaiError(
        'invalid_request',
        'appellant.type must be account_holder to appeal a decision: a screening decision is appealed by the account that asked; a reporter appeals the declined case, with case_id.',
      );
    }
    const record = await findDecision(tx.db, decisionId);
    // Another account's decision is answered like a missing one, so decision ids cannot be probed.
    if (!record || record.requester?.id !== input.appellant.account) {
      throw new PerisaiError(
        'not_found',
        `Account ${input.appellant.account} has no decision with the id ${decisionId}: give the id screening returned for that account's request.`,
      );
    }
    if (record.decision === 'allow') throw new PerisaiError('conflict', `Decision ${decisionId} allowed the request: there is nothing to appeal.`);
    return {
      appealOf: `decision:${decisionId}`,
      decisionId,
      original: undefined as CaseRow | undefined,
      category: reportCategoryOf(record.categories),
      jurisdiction: record.jurisdiction ?? record.requester?.country ?? 'ZZ',
    };
  }

  private async caseTarget(tx: Tx, input: AppealInput, caseId: string) {
    const original = await findCase(tx.db, caseId);
    if (!original)
      throw new PerisaiError('not_found', `No case has the id ${caseId}: take the id from the report's receipt or the outcome the platform was sent.`);
    if (isAppealCase(original))
      throw new PerisaiError(
        'conflict',
        `Case ${caseId} is itself an appeal: its outcome is final here; appeal it to an out-of-court dispute settlement body.`,
      );
    const wanted = input.appellant.type === 'reporter' ? 'declined' : 'actioned';
    if (original.state !== wanted) {
      const who =
        input.appellant.type === 'reporter'
          ? 'a reporter appeals a case that was declined'
          : 'the account holder appeals a case whose content was removed (actioned)';
      throw new PerisaiError('conflict', `Case ${caseId} is ${original.state.replace('_', ' ')}: ${who}.`);
    }
    const decisionId = original.content_id?.startsWith(DECISION_CONTENT_PREFIX) ? original.content_id.slice(DECISION_CONTENT_PREFIX.length) : null;
    if (input.appellant.type === 'reporter' && input.appellant.report_id !== undefined) {
      const reportId = input.appellant.report_id;
      if (!(await reportsOfCase(tx.db, caseId)).some((report) => report.id === reportId)) {
        throw new PerisaiError('not_found', `Case ${caseId} has no report ${reportId}: give the report id from the receipt of a report in this case.`);
      }
    }
    if (input.appellant.type === 'account_holder' && decisionId !== null) {
      const record = await findDecision(tx.db, decisionId);
      if (record?.requester?.id !== input.appellant.account) {
        throw new PerisaiError(
          'not_found',
          `Account ${input.appellant.account} is not the account case ${caseId} is about: give the account that made the request.`,
        );
      }
    }
    return {
      appealOf: `case:${caseId}`,
      decisionId,
      original,
      category: original.category as ReportCategory,
      jurisdiction: original.jurisdiction,
    };
  }

  /**
   * The appeals about an account, newest first: of the decisions its strikes came from, and the
   * ones its holder made. The appellant's contact is left out: the console shows this to staff.
   */
  async aboutAccount(account: string, decisionIds: string[]): Promise<AccountAppealView[]> {
    const rows = await appealsAboutAccount(this.options.uow.db, account, decisionIds);
    return rows.map((row) => ({
      case_id: row.case_id,
      appeal_of: row.appeal_of,
      appellant_type: row.appellant_type,
      reason: row.reason,
      opened_at: row.opened_at,
      outcome: row.outcome,
      decided_at: row.decided_at,
      decided_by: row.decided_by,
    }));
  }

  /** Upholding or overturning an appeal case (called by CasesService.act, inside its transaction). */
  async decide(tx: Tx, appealCase: CaseRow, outcome: 'uphold' | 'overturn', reason: string, actor: string): Promise<Record<string, unknown>> {
    const appeal = await findAppeal(tx.db, appealCase.id);
    if (!appeal) throw new PerisaiError('conflict', `Case ${appealCase.id} is not an appeal: only an appeal case can be upheld or overturned.`);
    if (!(await decideAppeal(tx.db, appeal.case_id, { outcome, at: tx.at, by: actor }))) {
      throw new PerisaiError('conflict', `Appeal ${appeal.case_id} was already decided: read the case for its outcome.`);
    }
    const details: Record<string, unknown> = { outcome, appeal_of: appeal.appeal_of };
    if (appeal.original_case_id !== null) Object.assign(details, await this.settleOriginalCase(tx, appeal, outcome, reason, actor));
    let lifted = { strikes: [] as string[], suspensions: [] as string[] };
    if (outcome === 'overturn' && appeal.decision_id !== null) lifted = await this.options.accounts.liftDecisionStrikes(tx, appeal.decision_id, actor, reason);
    details.strikes_lifted = lifted.strikes;
    details.suspensions_ended = lifted.suspensions;
    details.notified = await this.options.webhooks.enqueue(tx, {
      type: 'appeal.decided',
      subject: { caseId: appeal.case_id },
      payload: {
        appeal_id: appeal.case_id,
        appeal_of: { decision_id: appeal.decision_id, case_id: appeal.original_case_id },
        outcome: outcome === 'uphold' ? 'upheld' : 'overturned',
        reason,
        appellant: JSON.parse(appeal.appellant) as unknown,
        strikes_lifted: lifted.strikes,
        suspensions_ended: lifted.suspensions,
      },
    });
    return details;
  }

  /**
   * The appealed case after the outcome: upheld, it is closed; an overturned removal is undone
   * (content.restore) and the case declined; an overturned decline becomes a removal
   * (content.remove) and the case actioned.
   */
  private async settleOriginalCase(tx: Tx, appeal: AppealRow, outcome: 'uphold' | 'overturn', reason: string, actor: string): Promise<Record<string, unknown>> {
    const original = await findCase(tx.db, appeal.original_case_id!);
    if (!original) throw new PerisaiError('not_found', `The appealed case ${appeal.original_case_id} is not stored.`);
    const content = { case_id: original.id, content_id: original.content_id, content_url: original.content_url, image_sha256: original.image_sha256 };
    let to: CaseState = 'closed';
    let webhook: string | null = null;
    if (outcome === 'overturn' && appeal.original_state === 'actioned') {
      to = 'declined';
      webhook = await this.options.webhooks.enqueue(tx, {
        type: 'content.restore',
        subject: { caseId: original.id },
        payload: { ...content, reason, appeal: appeal.case_id },
      });
    } else if (outcome === 'overturn') {
      to = 'actioned';
      webhook = await this.options.webhooks.enqueue(tx, {
        type: 'content.remove',
        subject: { caseId: original.id },
        payload: { ...content, category: original.category, jurisdiction: original.jurisdiction, reason, appeal: appeal.case_id },
      });
    }
    if (!(await transitionCase(tx.db, original.id, 'appealed', { state: to, updated_at: tx.at }))) {
      throw new PerisaiError('conflict', `Case ${original.id} is no longer appealed (someone acted on it meanwhile): read it, then decide the appeal again.`);
    }
    const kind = outcome === 'uphold' ? 'appeal_upheld' : 'appeal_overturned';
    await insertCaseEvent(tx.db, { caseId: original.id, at: tx.at, kind, actor, payload: { from: 'appealed', to, appeal: appeal.case_id, reason, webhook } });
    await tx.audit([{ kind: `case.${kind}`, subject: original.id, actor, payload: { from: 'appealed', to, appeal: appeal.case_id, webhook } }]);
    return { original_case: original.id, original_state: to, ...(webhook === null ? {} : { webhook }) };
  }
}
