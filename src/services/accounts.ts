import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { accountIdSchema } from '../domain/account-id.js';
import type { JsonValue } from '../domain/canonical-json.js';
import type { Clock } from '../domain/clock.js';
import { CATEGORIES, type Category, type FactEvidence } from '../domain/decision.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import {
  accountStanding,
  longer,
  strikeExpiry,
  type StrikeRecord,
  strikeState,
  suspensionsWithoutCause,
  type TrippedThreshold,
  trippedThreshold,
} from '../domain/enforcement.js';
import { PerisaiError } from '../domain/errors.js';
import type { Policy, SuspensionThreshold } from '../domain/policy/schema.js';
import { reportCategoryOf } from '../domain/reports.js';
import {
  endSuspensions,
  findActiveSuspension,
  hasAuditEntry,
  insertStrikes,
  insertSuspension,
  liftStrikes,
  strikeRecord,
  type StrikeRow,
  strikesOfAccount,
  strikesOfDecision,
  suspensionRecord,
  type SuspensionRow,
  suspensionsOfAccount,
} from '../store/repositories/accounts.js';
import { findAppealOf } from '../store/repositories/appeals.js';
import { findCase } from '../store/repositories/cases.js';
import { findDecision } from '../store/repositories/decisions.js';
import type { Db } from '../store/store.js';
import type { JobRecord } from './jobs.js';
import type { MatchContext, Matcher, MatchResult } from './ports.js';
import type { StatementsService } from './sor.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';
import type { WebhookService } from './webhooks.js';

export const accountIdParam = accountIdSchema.describe("The account id as your platform stores it: 1-128 of A-Z a-z 0-9 . _ : @ + -, not '.' or '..'.");

const reason = z
  .string()
  .trim()
  .min(1, 'is empty: say why, in a sentence the account holder can be told')
  .max(2000, 'is too long: at most 2,000 characters')
  .describe('Why, in a sentence the account holder can be told; recorded in the audit log.');

/** The body of a manual suspension: a reason, and an end (`until` or `days`) or none (until reinstated). */
export const suspendBodySchema = z
  .strictObject({
    reason,
    until: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' })
      .optional()
      .describe('When the suspension ends (ISO 8601). Give this or `days`, or neither for a suspension until reinstated.'),
    days: z.number().int().min(1).max(3650).optional().describe('How many days the suspension lasts, 1 to 3650. Give this or `until`, or neither.'),
  })
  .refine((body) => body.until === undefined || body.days === undefined, { message: 'give either until or days, not both', path: ['days'] });
export type SuspendInput = z.output<typeof suspendBodySchema>;

export const reinstateBodySchema = z.strictObject({ reason });

export interface StrikeView {
  id: string;
  category: string;
  decision_id: string;
  rule: string;
  policy_version: string;
  created_at: string;
  expires_at: string;
  state: 'active' | 'expired' | 'lifted';
  lifted_at: string | null;
  lifted_by: string | null;
  lifted_reason: string | null;
}

export interface SuspensionView {
  id: string;
  started_at: string;
  until: string | null;
  active: boolean;
  automatic: boolean;
  reason: string;
  actor: string;
  threshold: SuspensionThreshold | null;
  strike_ids: string[];
  policy_version: string | null;
  ended_at: string | null;
  ended_by: string | null;
  ended_reason: string | null;
}

export interface AccountView {
  account: string;
  standing: 'good' | 'suspended';
  /** While suspended: when the suspension ends, null when only a reinstatement ends it. */
  suspended_until: string | null;
  /** The suspension in force that ends last, or null. */
  suspension: SuspensionView | null;
  strikes: { active: StrikeView[]; expired: StrikeView[]; lifted: StrikeView[] };
  suspensions: SuspensionView[];
  history: Array<{ at: string; kind: string; actor: string; details: Record<string, unknown> }>;
}

export interface AccountsServiceOptions {
  uow: UnitOfWork;
  clock: Clock;
  policy: () => Policy;
  webhooks: WebhookService;
  /** Writes the statement of reasons (DSA Art. 17) of every suspension, in its transaction. */
  statements?: Pick<StatementsService, 'recordAccountRestriction'>;
}

/** The actor of what the policy does by itself: strikes and automatic suspensions. */
export const ENFORCEMENT_ACTOR = 'policy';

/** Categories a strike never lands for, even when a rule of them asks: they are not the account's doing. */
const NOT_STRIKEABLE: ReadonlySet<Category> = new Set(['account_suspended', 'detector_failure']);

/** A strike a person lands: on the requester of `decisionId`, for `category`, and why. */
export interface ManualStrike {
  decisionId: string;
  category: Category;
  reason: string;
}

/** The categories a person may strike for (every harm a policy rule can name). */
export const STRIKE_CATEGORIES: readonly Category[] = CATEGORIES.filter((category) => !NOT_STRIKEABLE.has(category));

/**
 * Consequences for accounts: strikes landed by the policy's `strike` action, automatic
 * suspensions when a threshold of the policy is met, manual suspension and reinstatement, and
 * the lifting of a decision's strikes when an appeal overturns it. Every change is one
 * transaction with its audit entries and webhooks.
 */
export class AccountsService {
  constructor(private readonly options: AccountsServiceOptions) {}

  async get(account: string): Promise<AccountView> {
    const db = this.options.uow.db;
    const [strikes, suspensions] = await Promise.all([strikesOfAccount(db, account), suspensionsOfAccount(db, account)]);
    return accountView(account, strikes, suspensions, this.options.clock.now().toISOString());
  }

  /** The job handler for `strike` jobs (see decision-recorder.ts `actionJobs`). */
  readonly strikeHandler = async (job: JobRecord): Promise<void> => {
    const decisionId = (job.payload as { decision_id?: unknown }).decision_id;
    if (typeof decisionId !== 'string') throw new Error(`strike job ${job.id} has no decision_id`);
    await this.strikeFromDecision(decisionId);
  };

  /**
   * Lands the strikes a decision asked for on its requester and suspends the account when a
   * threshold is met. Run from the outbox, so it may run more than once: a decision lands each
   * strike once however often its job runs. Returns the ids of the strikes it landed now.
   */
  async strikeFromDecision(decisionId: string): Promise<string[]> {
    return this.options.uow.run(async (tx) => {
      const record = await findDecision(tx.db, decisionId);
      if (!record) throw new PerisaiError('not_found', `No decision has the id ${decisionId}: the strike job refers to a decision that is not stored.`);
      const account = record.requester?.id;
      if (account === undefined) {
        // Nothing to strike; the audit log says so once, so an operator sees why no account was struck.
        if (!(await hasAuditEntry(tx.db, 'account.strike_skipped', decisionId))) {
          await tx.audit([
            { kind: 'account.strike_skipped', subject: decisionId, actor: ENFORCEMENT_ACTOR, payload: { decision: decisionId, why: 'no requester' } },
          ]);
        }
        return [];
      }
      // An appeal decided before the job ran: an overturned decision strikes no one.
      if ((await findAppealOf(tx.db, `decision:${decisionId}`))?.outcome === 'overturn') return [];
      const policy = this.options.policy();
      const rows: StrikeRow[] = strikeCategories(record, policy).map(({ category, rule }) => ({
        id: `stk_${randomUUID().replaceAll('-', '')}`,
        account,
        category,
        decision_id: record.id,
        rule,
        policy_version: record.policyVersion,
        created_at: tx.at,
        expires_at: strikeExpiry(policy.enforcement, tx.at),
        lifted_at: null,
        lifted_by: null,
        lifted_reason: null,
      }));
      return this.landStrikes(tx, account, rows, ENFORCEMENT_ACTOR, policy);
    });
  }

  /**
   * A strike a person lands for what a decision asked for (a reviewer working a case that traced
   * an image to it), counted against the same thresholds as the policy's own. One per decision
   * and category, like every strike: a second is refused with `conflict`.
   */
  async strikeManually(input: ManualStrike, actor: string, about?: { caseId: string }): Promise<string> {
    if (NOT_STRIKEABLE.has(input.category)) {
      throw new PerisaiError('invalid_request', `${input.category} is not a strike category: choose the harm the account asked for.`);
    }
    return this.options.uow.run(async (tx) => {
      const record = await findDecision(tx.db, input.decisionId);
      if (!record) throw new PerisaiError('not_found', `No decision has the id ${input.decisionId}: strike for a decision the case's trace names.`);
      const account = record.requester?.id;
      if (account === undefined) throw new PerisaiError('invalid_request', `Decision ${record.id} names no requesting account, so there is no one to strike.`);
      if (about && !(await findCase(tx.db, about.caseId))) throw new PerisaiError('not_found', `There is no case ${about.caseId}: check the case id.`);
      const policy = this.options.policy();
      const row: StrikeRow = {
        id: `stk_${randomUUID().replaceAll('-', '')}`,
        account,
        category: input.category,
        decision_id: record.id,
        rule: 'manual',
        policy_version: record.policyVersion,
        created_at: tx.at,
        expires_at: strikeExpiry(policy.enforcement, tx.at),
        lifted_at: null,
        lifted_by: null,
        lifted_reason: null,
      };
      const landed = await this.landStrikes(tx, account, [row], actor, policy, { reason: input.reason, ...(about ? { case: about.caseId } : {}) });
      if (landed.length === 0) {
        throw new PerisaiError(
          'conflict',
          `Account ${account} already has a ${input.category} strike for decision ${record.id}: one decision strikes once per category.`,
        );
      }
      if (about) {
        await tx.audit([
          {
            kind: 'case.account_struck',
            subject: about.caseId,
            actor,
            payload: { account, strike: row.id, category: row.category, decision: row.decision_id },
          },
        ]);
      }
      return row.id;
    });
  }

  /** Inserts strikes (each once), audits the new ones, and suspends when they meet a threshold. */
  private async landStrikes(tx: Tx, account: string, rows: StrikeRow[], actor: string, policy: Policy, extra: Record<string, string> = {}): Promise<string[]> {
    const landed = await insertStrikes(tx.db, rows);
    if (landed.length === 0) return [];
    // The audit append takes the chain's lock first, so two strikes on one account landing at
    // once are counted one after the other and neither misses the other's strike.
    await tx.audit(
      rows
        .filter((row) => landed.includes(row.id))
        .map((row) => ({
          kind: 'account.strike',
          subject: account,
          actor,
          payload: { strike: row.id, category: row.category, decision: row.decision_id, rule: row.rule, expires_at: row.expires_at, ...extra },
        })),
    );
    const strikes = (await strikesOfAccount(tx.db, account)).map(strikeRecord);
    const tripped = trippedThreshold(policy.enforcement, strikes, tx.at, new Set(landed));
    if (tripped) await this.suspendAutomatically(tx, account, tripped, policy.version);
    return landed;
  }

  private async suspendAutomatically(tx: Tx, account: string, tripped: TrippedThreshold, policyVersion: string): Promise<void> {
    const current = await findActiveSuspension(tx.db, account, tx.at);
    // Already suspended at least as long: a further strike changes nothing but the count.
    if (current && !longer(tripped.until, current.until)) return;
    const { threshold } = tripped;
    const row: SuspensionRow = {
      id: `sus_${randomUUID().replaceAll('-', '')}`,
      account,
      started_at: tx.at,
      until: tripped.until,
      automatic: 1,
      threshold: JSON.stringify(threshold),
      strike_ids: JSON.stringify(tripped.strikes.map((s) => s.id)),
      reason: threshold.description ?? thresholdText(threshold),
      actor: ENFORCEMENT_ACTOR,
      policy_version: policyVersion,
      ended_at: null,
      ended_by: null,
      ended_reason: null,
    };
    await this.recordSuspension(tx, row, tripped.strikes);
  }

  private async recordSuspension(tx: Tx, row: SuspensionRow, strikes: StrikeRecord[], caseId?: string): Promise<void> {
    await insertSuspension(tx.db, row);
    const details = {
      suspension: row.id,
      until: row.until,
      automatic: row.automatic === 1,
      reason: row.reason,
      threshold: row.threshold === null ? null : (JSON.parse(row.threshold) as JsonValue),
      strikes: strikes.map((s) => s.id),
      decisions: strikes.map((s) => s.decisionId),
    };
    // The statement names the suspension, never the account: it goes to a public database.
    const statement = await this.options.statements?.recordAccountRestriction(tx, {
      subject: row.id,
      restriction: 'suspended',
      until: row.until,
      category: reportCategoryOf(strikes.map((s) => s.category)),
      automated: row.automatic === 1,
      ...(row.policy_version ? { policy: { version: row.policy_version, rules: [...new Set(strikes.map((s) => s.category))] } } : {}),
    });
    const webhook = await this.options.webhooks.enqueue(tx, { type: 'account.suspended', payload: { account: row.account, ...details } });
    await tx.audit([
      { kind: 'account.suspended', subject: row.account, actor: row.actor, payload: { ...details, webhook, ...(statement ? { statement } : {}) } },
      ...(caseId
        ? [{ kind: 'case.account_suspended', subject: caseId, actor: row.actor, payload: { account: row.account, suspension: row.id, until: row.until } }]
        : []),
    ]);
  }

  /**
   * Suspends an account by a person's decision; `until`/`days` end it, neither: until reinstated.
   * Taken from a case (`about.caseId`), the case's audit trail records it too, in the same
   * transaction, so the case shows what was done to the account it led to.
   */
  async suspend(account: string, input: SuspendInput, actor: string, outer?: Tx, about?: { caseId: string }): Promise<AccountView> {
    await this.options.uow.run(async (tx) => {
      if (about && !(await findCase(tx.db, about.caseId))) {
        throw new PerisaiError('not_found', `There is no case ${about.caseId}: check the case id, or suspend the account without one.`);
      }
      const until = input.until !== undefined ? new Date(input.until).toISOString() : input.days !== undefined ? addDays(tx.at, input.days) : null;
      if (until !== null && until <= tx.at) {
        throw new PerisaiError('invalid_request', `until is ${until}, which has passed: give a time in the future, or days.`);
      }
      await this.recordSuspension(
        tx,
        {
          id: `sus_${randomUUID().replaceAll('-', '')}`,
          account,
          started_at: tx.at,
          until,
          automatic: 0,
          threshold: null,
          strike_ids: '[]',
          reason: input.reason,
          actor,
          policy_version: null,
          ended_at: null,
          ended_by: null,
          ended_reason: null,
        },
        [],
        about?.caseId,
      );
    }, outer);
    return this.get(account);
  }

  /** Ends every suspension in force on the account (its strikes stay, see docs/enforcement.md). */
  async reinstate(account: string, reasonText: string, actor: string, outer?: Tx): Promise<AccountView> {
    await this.options.uow.run(async (tx) => {
      const active = accountStanding([], (await suspensionsOfAccount(tx.db, account)).map(suspensionRecord), tx.at).activeSuspensions;
      if (active.length === 0) {
        throw new PerisaiError('conflict', `Account ${account} is not suspended: there is nothing to reinstate; read its standing to see its strikes.`);
      }
      const ended = await endSuspensions(
        tx.db,
        active.map((s) => s.id),
        { at: tx.at, by: actor, reason: reasonText },
      );
      const details = { ended, reason: reasonText };
      const webhook = await this.options.webhooks.enqueue(tx, { type: 'account.reinstated', payload: { account, ...details } });
      await tx.audit([{ kind: 'account.reinstated', subject: account, actor, payload: { ...details, webhook } }]);
    }, outer);
    return this.get(account);
  }

  /**
   * Lifts the strikes a decision landed (an appeal overturned it) and ends the automatic
   * suspensions that no longer have enough strikes behind them. Joins the caller's transaction.
   * Returns what it lifted and ended, for the caller's history entry.
   */
  async liftDecisionStrikes(tx: Tx, decisionId: string, actor: string, why: string): Promise<{ strikes: string[]; suspensions: string[] }> {
    const rows = await strikesOfDecision(tx.db, decisionId);
    const lifted = await liftStrikes(
      tx.db,
      rows.map((r) => r.id),
      { at: tx.at, by: actor, reason: why },
    );
    if (lifted.length === 0) return { strikes: [], suspensions: [] };
    const ended: string[] = [];
    for (const account of new Set(rows.filter((r) => lifted.includes(r.id)).map((r) => r.account))) {
      const strikes = (await strikesOfAccount(tx.db, account)).map(strikeRecord);
      const suspensions = (await suspensionsOfAccount(tx.db, account)).map(suspensionRecord);
      const endedHere = await endSuspensions(
        tx.db,
        suspensionsWithoutCause(suspensions, strikes, tx.at).map((s) => s.id),
        { at: tx.at, by: actor, reason: why },
      );
      ended.push(...endedHere);
      const liftedHere = rows.filter((r) => r.account === account && lifted.includes(r.id)).map((r) => r.id);
      await tx.audit([
        {
          kind: 'account.strikes_lifted',
          subject: account,
          actor,
          payload: { decision: decisionId, strikes: liftedHere, suspensions_ended: endedHere, reason: why },
        },
      ]);
      if (endedHere.length > 0) {
        await this.options.webhooks.enqueue(tx, { type: 'account.reinstated', payload: { account, ended: endedHere, reason: why } });
      }
    }
    return { strikes: lifted, suspensions: ended };
  }
}

/**
 * Refuses requests of suspended accounts: fills `accountSuspended` evidence for the requester,
 * so the policy's `account-suspended` rule fires. It reads the store for every request (one
 * indexed look-up, most accounts have no row) rather than an in-memory copy, so a suspension or
 * a reinstatement made on any instance applies to the next request everywhere.
 */
export class AccountStandingMatcher implements Matcher {
  readonly name = 'account-standing';

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async match(context: MatchContext): Promise<Partial<MatchResult>> {
    if (context.requesterId === null) return {};
    const suspension = await findActiveSuspension(this.db, context.requesterId, this.clock.now().toISOString());
    if (!suspension) return {};
    const until = suspension.until === null ? 'until a person reinstates it' : `until ${suspension.until}`;
    const why = Number(suspension.automatic) === 1 ? `automatically (${suspension.reason})` : 'by a moderator';
    const evidence: FactEvidence = { source: 'account', fact: 'account_suspended', detail: `The account was suspended ${why}, ${until}.` };
    return { accountSuspended: [evidence] };
  }
}

/**
 * The categories a decision strikes, each with the rule that asked: the categories of its
 * reasons whose rule (in the policy now loaded) has the `strike` action. A decision made under a
 * policy whose rules were since renamed strikes every category it has.
 */
function strikeCategories(record: DecisionRecord, policy: Policy): Array<{ category: Category; rule: string }> {
  const rules = new Map(policy.rules.map((rule) => [rule.id, rule]));
  const known = record.reasons.filter((reason) => rules.has(reason.rule));
  const chosen =
    known.length === record.reasons.length ? record.reasons.filter((reason) => rules.get(reason.rule)!.actions.includes('strike')) : record.reasons;
  const seen = new Map<Category, string>();
  for (const reason of chosen) if (!NOT_STRIKEABLE.has(reason.category) && !seen.has(reason.category)) seen.set(reason.category, reason.rule);
  return [...seen].map(([category, rule]) => ({ category, rule }));
}

function thresholdText(threshold: SuspensionThreshold): string {
  const what = threshold.category === 'any' ? 'strikes' : `${threshold.category} strikes`;
  return `${threshold.strikes} ${what} within ${threshold.within_days} days`;
}

function addDays(at: string, days: number): string {
  return new Date(Date.parse(at) + days * 24 * 60 * 60 * 1000).toISOString();
}

function strikeView(row: StrikeRow, now: string): StrikeView {
  return {
    id: row.id,
    category: row.category,
    decision_id: row.decision_id,
    rule: row.rule,
    policy_version: row.policy_version,
    created_at: row.created_at,
    expires_at: row.expires_at,
    state: strikeState(strikeRecord(row), now),
    lifted_at: row.lifted_at,
    lifted_by: row.lifted_by,
    lifted_reason: row.lifted_reason,
  };
}

function suspensionView(row: SuspensionRow, active: boolean): SuspensionView {
  return {
    id: row.id,
    started_at: row.started_at,
    until: row.until,
    active,
    automatic: Number(row.automatic) === 1,
    reason: row.reason,
    actor: row.actor,
    threshold: row.threshold === null ? null : (JSON.parse(row.threshold) as SuspensionThreshold),
    strike_ids: JSON.parse(row.strike_ids) as string[],
    policy_version: row.policy_version,
    ended_at: row.ended_at,
    ended_by: row.ended_by,
    ended_reason: row.ended_reason,
  };
}

/** The account page: standing now, strikes by state, suspensions newest first, and the history in order. */
export function accountView(account: string, strikeRows: StrikeRow[], suspensionRows: SuspensionRow[], now: string): AccountView {
  const standing = accountStanding(strikeRows.map(strikeRecord), suspensionRows.map(suspensionRecord), now);
  const activeIds = new Set(standing.activeSuspensions.map((s) => s.id));
  const strikes = strikeRows.map((row) => strikeView(row, now)).reverse();
  const suspensions = suspensionRows.map((row) => suspensionView(row, activeIds.has(row.id))).reverse();
  const first = standing.activeSuspensions[0];
  const history: AccountView['history'] = [];
  for (const s of strikeRows) {
    history.push({
      at: s.created_at,
      kind: 'strike',
      actor: ENFORCEMENT_ACTOR,
      details: { strike: s.id, category: s.category, decision: s.decision_id, rule: s.rule },
    });
    if (s.lifted_at !== null)
      history.push({ at: s.lifted_at, kind: 'strike_lifted', actor: s.lifted_by ?? 'unknown', details: { strike: s.id, reason: s.lifted_reason } });
  }
  for (const s of suspensionRows) {
    history.push({
      at: s.started_at,
      kind: 'suspended',
      actor: s.actor,
      details: { suspension: s.id, until: s.until, automatic: Number(s.automatic) === 1, reason: s.reason },
    });
    if (s.ended_at !== null) {
      history.push({ at: s.ended_at, kind: 'suspension_ended', actor: s.ended_by ?? 'unknown', details: { suspension: s.id, reason: s.ended_reason } });
    } else if (s.until !== null && s.until <= now) {
      history.push({ at: s.until, kind: 'suspension_expired', actor: ENFORCEMENT_ACTOR, details: { suspension: s.id } });
    }
  }
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    account,
    standing: standing.status,
    suspended_until: first ? first.until : null,
    suspension: first
      ? suspensionView(
          suspensionRows.find((row) => row.id === first.id)!,
          true,
        )
      : null,
    strikes: {
      active: strikes.filter((s) => s.state === 'active'),
      expired: strikes.filter((s) => s.state === 'expired'),
      lifted: strikes.filter((s) => s.state === 'lifted'),
    },
    suspensions,
    history,
  };
}
