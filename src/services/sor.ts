import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import type { Category } from '../domain/decision.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import { BLOCKED_REQUEST_RULE } from '../domain/policy/output-of-request.js';
import { type ReportCategory, reportCategoryOf, type ReporterType } from '../domain/reports.js';
import { buildStatement, type Restriction, sourceOfReporters, type Statement, STATEMENTS_PER_BATCH } from '../domain/statement-of-reasons.js';
import { MACHINE_ACTORS } from '../domain/transparency.js';
import type { CaseRow } from '../store/repositories/cases.js';
import { reportsOfCase } from '../store/repositories/cases.js';
import { findStatement, insertStatements, type StatementRow, statementsBetween, statementsOf } from '../store/repositories/statements.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

/** A period as the reports take it: [from, to), ISO 8601 instants. */
export const periodSchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).describe('Start of the period, inclusive (ISO 8601, e.g. 2026-11-01T00:00:00Z).'),
    to: z.iso.datetime({ offset: true }).describe('End of the period, exclusive (ISO 8601).'),
  })
  .transform((p) => ({ from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString() }))
  .refine((p) => p.from < p.to, { message: 'from must be before to', path: ['to'] });
export type Period = z.output<typeof periodSchema>;

/** What an account restriction's caller knows (helper-A's suspensions call this). */
export interface AccountRestrictionInput {
  /** An opaque id of the restriction (a suspension id), stored as the subject: never the account id. */
  subject: string;
  restriction: 'suspended' | 'terminated';
  /** When a suspension ends (ISO 8601); null or absent for an indefinite one. */
  until?: string | null;
  /** The report category of the strikes that led to it. */
  category: ReportCategory;
  /** True when the thresholds suspended the account without a person deciding. */
  automated: boolean;
  jurisdiction?: string | null;
  /** When the first content that led to the restriction was seen; default: now. */
  contentAt?: string;
  /** The policy version whose thresholds applied, if any. */
  policy?: { version: string; rules: readonly string[] };
}

const newId = (): string => `sor_${randomUUID().replaceAll('-', '')}`;

function row(
  statement: Statement,
  facts: { source: string; subject: string; restriction: Restriction['kind']; category: string; jurisdiction: string | null | undefined; at: string },
): StatementRow {
  return {
    id: statement.puid,
    created_at: facts.at,
    source: facts.source,
    subject: facts.subject,
    restriction: facts.restriction,
    category: facts.category,
    jurisdiction: facts.jurisdiction ?? 'ZZ',
    automated: statement.automated_decision === 'AUTOMATED_DECISION_FULLY' ? 1 : 0,
    body: JSON.stringify(statement),
  };
}

/**
 * The statement of a refused generation request or a withheld output, or none. Blocks with a
 * harm category get one: the requester's content (the image asked for) is restricted by the
 * service's terms, which is what Art. 17 asks to be explained. No statement is made for a block
 * that judged no content: an account already suspended (its suspension has its own statement), a
 * detector failure (a technical refusal, retried), or an output withheld only because its request
 * was refused (the request's statement covers it). Reviews restrict nothing yet: the case a
 * person decides produces the statement. Pure and cheap, so the recorder builds it in its own
 * group-committed transaction and screening pays no extra round trip.
 */
export function decisionStatement(record: DecisionRecord): StatementRow | undefined {
  if (record.decision !== 'block') return undefined;
  const harms = record.categories.filter((c): c is Category => c !== 'account_suspended' && c !== 'detector_failure');
  if (harms.length === 0) return undefined;
  const rules = record.reasons.map((r) => r.rule);
  if (rules.length > 0 && rules.every((r) => r === BLOCKED_REQUEST_RULE)) return undefined;
  const category = reportCategoryOf(harms);
  const statement = refusalStatement(newId(), record.createdAt, category, harms, record.policyVersion, rules);
  return row(statement, {
    source: 'decision',
    subject: record.id,
    restriction: 'generation_refused',
    category,
    jurisdiction: record.jurisdiction ?? record.requester?.country ?? null,
    at: record.createdAt,
  });
}

/**
 * Refusals repeat: the same policy version, rules and categories day after day. Building and
 * validating one costs ~60 µs (mostly the schema check), which the recorder would pay for every
 * refused request inside its flush; so each distinct refusal is built and validated once a day
 * and later ones only take a new puid, which is valid by construction (`sor_` and hex). Bounded:
 * the cache is emptied when it holds 1,000 kinds.
 */
const refusals = new Map<string, Statement>();

function refusalStatement(id: string, at: string, category: ReportCategory, harms: Category[], policyVersion: string, rules: string[]): Statement {
  const key = JSON.stringify([at.slice(0, 10), category, harms, policyVersion, rules]);
  const cached = refusals.get(key);
  if (cached) return { ...cached, puid: id };
  const statement = buildStatement({
    id,
    restriction: { kind: 'generation_refused' },
    category,
    decisionCategories: harms,
    source: 'own_initiative',
    automatedDetection: true,
    automatedDecision: 'fully',
    synthetic: true,
    contentAt: at,
    appliedAt: at,
    policy: { version: policyVersion, rules },
  });
  if (refusals.size >= 1000) refusals.clear();
  refusals.set(key, statement);
  return statement;
}

/**
 * Statements of reasons: one for every action that restricts content or an account, written in
 * the action's own transaction (nothing restricted without its statement, no statement for an
 * action rolled back), and exported in the Transparency Database's bulk format.
 */
export class StatementsService {
  constructor(private readonly uow: UnitOfWork) {}

  /** The statement of a case's removal or banking, by a reviewer or automatically. Returns its id. */
  async recordForCase(tx: Tx, caseRow: CaseRow, kind: 'content_removed' | 'content_disabled', actor: string): Promise<string> {
    const reports = await reportsOfCase(tx.db, caseRow.id);
    const machine = MACHINE_ACTORS.includes(actor);
    const openedByPolicy = caseRow.content_id?.startsWith('decision:') ?? false;
    const category = caseRow.category as ReportCategory;
    const statement = buildStatement({
      id: newId(),
      restriction: { kind },
      category,
      source: sourceOfReporters(reports.map((r) => r.reporter_type as ReporterType)),
      // Found by a detector (a case the policy opened) or by hash matching (an automatic removal).
      automatedDetection: openedByPolicy || machine,
      automatedDecision: machine ? 'fully' : 'none',
      // Content this service generated, or reported as a deepfake, is synthetic media.
      synthetic: openedByPolicy || category === 'sexual_deepfake',
      contentAt: caseRow.opened_at,
      appliedAt: tx.at,
      jurisdiction: caseRow.jurisdiction,
    });
    await insertStatements(tx.db, [
      row(statement, { source: 'case', subject: caseRow.id, restriction: kind, category, jurisdiction: caseRow.jurisdiction, at: tx.at }),
    ]);
    return statement.puid;
  }

  /** Whether a case already has a statement for this restriction (banking after a removal adds none). */
  async caseHas(tx: Tx, caseId: string, kind: Restriction['kind']): Promise<boolean> {
    return (await statementsOf(tx.db, 'case', caseId)).some((s) => s.restriction === kind);
  }

  /**
   * The statement of an account suspension or termination, in the caller's transaction. Returns
   * its id. The account id never enters it: `subject` is the caller's opaque restriction id.
   */
  async recordAccountRestriction(tx: Tx, input: AccountRestrictionInput): Promise<string> {
    const kind = input.restriction === 'suspended' ? 'account_suspended' : 'account_terminated';
    const statement = buildStatement({
      id: newId(),
      restriction: kind === 'account_suspended' ? { kind, until: input.until ?? null } : { kind },
      category: input.category,
      source: 'own_initiative',
      automatedDetection: true,
      automatedDecision: input.automated ? 'fully' : 'none',
      synthetic: true,
      contentAt: input.contentAt ?? tx.at,
      appliedAt: tx.at,
      ...(input.policy ? { policy: input.policy } : {}),
      jurisdiction: input.jurisdiction ?? null,
    });
    await insertStatements(tx.db, [
      row(statement, { source: 'account', subject: input.subject, restriction: kind, category: input.category, jurisdiction: input.jurisdiction, at: tx.at }),
    ]);
    return statement.puid;
  }

  /** The statements about one case, decision or account restriction. */
  async of(source: 'case' | 'decision' | 'account', subject: string): Promise<Statement[]> {
    return (await statementsOf(this.uow.db, source, subject)).map((r) => JSON.parse(r.body) as Statement);
  }

  async get(id: string): Promise<Statement | undefined> {
    const found = await findStatement(this.uow.db, id);
    return found ? (JSON.parse(found.body) as Statement) : undefined;
  }

  /**
   * The statements made in a period, oldest first, in batches the database's bulk endpoint takes
   * (`{"statements": [...]}`, at most 100). Read page by page, so a year of statements never sits
   * in memory at once.
   */
  async *batches(period: Period, size = STATEMENTS_PER_BATCH): AsyncGenerator<{ statements: Statement[] }> {
    const limit = Math.min(Math.max(1, size), STATEMENTS_PER_BATCH);
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const rows = await statementsBetween(this.uow.db, period, after, limit);
      if (rows.length === 0) return;
      yield { statements: rows.map((r) => JSON.parse(r.body) as Statement) };
      const last = rows[rows.length - 1]!;
      after = { createdAt: last.created_at, id: last.id };
      if (rows.length < limit) return;
    }
  }
}
