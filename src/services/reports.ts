import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { type ClockRule, type ClockRules, deadlineOf, EU_MEMBER_STATES, JURISDICTION_PATTERN, resolveClock } from '../domain/clocks/index.js';
import { REPORT_CATEGORIES, type ReportCategory, REPORTER_TYPES, type ReporterType } from '../domain/reports.js';
import { findCase, findOpenCaseByContentId, insertCase, insertCaseEvent, insertReport, transitionCase, updateCase } from '../store/repositories/cases.js';
import { PROTECTED_MAX_DISTANCE } from './hash-indexes.js';
import { OpenCaseIndex } from './open-case-index.js';
import type { ImageAnalyser, Matcher } from './ports.js';
import { base64ImageSchema } from './screen-request.js';
import type { StatementsService } from './sor.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';
import type { WebhookService } from './webhooks.js';

/** The body of `POST /v1/reports`: what a valid notice contains under the DSA and the TAKE IT DOWN Act. */
export const reportBodySchema = z.strictObject({
  reporter: z
    .strictObject({
      type: z.enum(REPORTER_TYPES).describe('Who is reporting: the person depicted, another user, a trusted flagger, a regulator or law enforcement.'),
      name: z.string().trim().min(1).max(200).optional().describe('Name of the individual or entity submitting the notice (DSA Art. 16(2)(c)).'),
      email: z.string().trim().email().max(320).optional().describe('Email address of the reporter, to be told the outcome.'),
      /** Other contact details (phone, postal address) the TAKE IT DOWN Act accepts. */
      contact: z.string().trim().min(1).max(500).optional().describe('Other contact details: a phone number or postal address.'),
    })
    .describe('Who reports; contact details stay in the case, never in the audit chain.'),
  jurisdiction: z
    .string()
    .regex(JURISDICTION_PATTERN, 'use an ISO 3166-1 alpha-2 code in capitals, or EU')
    .describe('Where the law that applies is: an ISO 3166-1 alpha-2 code in capitals, or EU. It picks the clock.'),
  category: z.enum(REPORT_CATEGORIES).describe('What the content is: ncii (intimate imagery without consent), csam, sexual_deepfake, nudity or other.'),
  content: z
    .strictObject({
      id: z.string().trim().min(1).max(200).optional().describe("The platform's id of the content."),
      url: z.string().url().max(2000).optional().describe('The exact location of the content.'),
      /** Base64 of the reported image; hashed on arrival and never stored. */
      image: base64ImageSchema.optional().describe('The reported image, base64; hashed with PDQ and SHA-256 on arrival and never stored.'),
    })
    .refine((c) => c.id !== undefined || c.url !== undefined || c.image !== undefined, 'identify the content by id, url or image')
    .describe('The reported content: at least one of id, url or image.'),
  explanation: z.string().trim().min(1).max(10_000).optional().describe('Why the content is illegal or harmful (DSA Art. 16(2)(a)).'),
  good_faith: z.boolean().optional().describe('A statement that the reporter believes in good faith the notice is accurate and complete (DSA Art. 16(2)(d)).'),
  non_consensual: z.boolean().optional().describe('A statement that the depiction is not consensual (TAKE IT DOWN Act §3(a)(2)(C)).'),
  signature: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe('Physical or electronic signature of the depicted person or their representative (TAKE IT DOWN Act §3(a)(2)(A)).'),
});
export type ReportBody = z.infer<typeof reportBodySchema>;

export interface MissingElement {
  /** The body field that would supply it. */
  field: string;
  element: string;
  law: string;
}

const DSA = 'EU Digital Services Act, Art. 16(2)';
const TIDA = 'US TAKE IT DOWN Act, §3(a)(2)';

/**
 * The legal elements a notice lacks. A notice is never refused for them (a victim's report
 * still starts the clock); the case shows what is missing so a reviewer can ask for it.
 */
export function missingElements(body: ReportBody): MissingElement[] {
  const missing: MissingElement[] = [];
  const eu = body.jurisdiction === 'EU' || EU_MEMBER_STATES.has(body.jurisdiction);
  if (eu) {
    if (!body.explanation)
      missing.push({ field: 'explanation', element: 'a sufficiently substantiated explanation of why the content is illegal', law: `${DSA}(a)` });
    if (!body.content.url && !body.content.id)
      missing.push({ field: 'content.url', element: 'the exact electronic location of the content', law: `${DSA}(b)` });
    // Art. 16(2)(c) exempts notices about child sexual abuse offences from naming the notifier.
    if (body.category !== 'csam') {
      if (!body.reporter.name)
        missing.push({ field: 'reporter.name', element: 'the name of the individual or entity submitting the notice', law: `${DSA}(c)` });
      if (!body.reporter.email) missing.push({ field: 'reporter.email', element: 'the email address of the notifier', law: `${DSA}(c)` });
    }
    if (body.good_faith !== true)
      missing.push({ field: 'good_faith', element: 'a statement of bona fide belief that the notice is accurate and complete', law: `${DSA}(d)` });
  }
  const intimate = body.category === 'ncii' || body.category === 'sexual_deepfake' || body.category === 'nudity';
  if (body.jurisdiction === 'US' && intimate) {
    if (!body.signature)
      missing.push({
        field: 'signature',
        element: 'a physical or electronic signature of the identifiable individual or their authorised representative',
        law: `${TIDA}(A)`,
      });
    if (!body.content.url && !body.content.id && !body.content.image)
      missing.push({ field: 'content', element: 'an identification of, and information reasonably sufficient to locate, the depiction', law: `${TIDA}(B)` });
    if (body.non_consensual !== true)
      missing.push({ field: 'non_consensual', element: 'a brief statement of good-faith belief that the depiction is not consensual', law: `${TIDA}(C)` });
    if (!body.reporter.email && !body.reporter.contact)
      missing.push({ field: 'reporter.email', element: 'information sufficient to contact the individual', law: `${TIDA}(D)` });
  }
  return missing;
}

export interface ReportReceipt {
  id: string;
  case_id: string;
  deadline: string;
  rule: { id: string; hours: number; basis: ClockRule['basis']; source: ClockRule['source'] };
  missing: MissingElement[];
  /** True when the report joined a case already open about the same content. */
  merged: boolean;
  /** Set when the reported image matched a bank of known content and was removed without waiting for a person. */
  removed_automatically?: { bank: string; purpose: string; distance: number };
}

/**
 * Banks whose content is removed on a report without a person deciding: known abuse, known
 * intimate imagery, earlier takedowns. A two-hour clock (India, NCII) is kept only this way.
 */
export const AUTOMATIC_REMOVAL_PURPOSES: readonly string[] = ['csam', 'ncii', 'takedown'];
export const AUTOMATIC_ACTOR = 'automatic';

export interface ReportsServiceOptions {
  uow: UnitOfWork;
  clockRules: () => ClockRules;
  imageAnalyser: ImageAnalyser;
  /** Matches a reported image against the hash banks; with `webhooks`, known content is removed at once. */
  bankMatcher?: Matcher;
  webhooks?: WebhookService;
  /** Reports whose image PDQ is within this distance of an open case's join it (the bank distance). */
  mergeDistance?: number;
  /** Writes the statement of reasons of an automatic removal, in the intake's transaction. */
  statements?: StatementsService;
}

/** Intake: records a report, opens or joins its case and sets the case's clock. */
export class ReportsService {
  private readonly openCases = new OpenCaseIndex();

  constructor(private readonly options: ReportsServiceOptions) {}

  async submit(body: ReportBody, reporter: { authenticated: boolean; actor: string }, outer?: Tx): Promise<ReportReceipt> {
    // Hash before the transaction: decoding is slow and the image never reaches the store.
    const image = body.content.image === undefined ? undefined : await this.hashImage(body.content.image);
    const known = image ? await this.knownContent(image) : undefined;
    const missing = missingElements(body);
    return this.options.uow.run(async (tx) => {
      const at = new Date(tx.at);
      const rules = this.options.clockRules();
      const rule = resolveClock(rules, {
        jurisdiction: body.jurisdiction,
        reporterType: body.reporter.type as ReporterType,
        category: body.category as ReportCategory,
        at,
      });
      const deadline = deadlineOf(rule, at).toISOString();
      const existing = await this.findCaseFor(tx, body.content.id, image?.pdq);
      const reportId = `rep_${randomUUID().replaceAll('-', '')}`;
      let caseId: string;
      let caseDeadline = deadline;
      let caseRule = rule.id;
      if (existing) {
        caseId = existing.id;
        // The shortest clock wins: a later report under a stricter rule shortens the case's deadline.
        if (deadline < existing.deadline) {
          await updateCase(tx.db, caseId, { deadline, rule_id: rule.id, clock_version: rules.version, updated_at: tx.at });
        } else {
          caseDeadline = existing.deadline;
          caseRule = existing.rule_id;
        }
        if (image && !existing.image_pdq) {
          await updateCase(tx.db, caseId, {
            image_pdq: image.pdq ?? null,
            image_pdq_quality: image.quality ?? null,
            image_sha256: image.sha256,
            updated_at: tx.at,
          });
        }
      } else {
        caseId = `case_${randomUUID().replaceAll('-', '')}`;
        await insertCase(tx.db, {
          id: caseId,
          jurisdiction: body.jurisdiction,
          category: body.category,
          content_id: body.content.id ?? null,
          content_url: body.content.url ?? null,
          image_pdq: image?.pdq ?? null,
          image_pdq_quality: image?.quality ?? null,
          image_sha256: image?.sha256 ?? null,
          rule_id: rule.id,
          clock_version: rules.version,
          opened_at: tx.at,
          deadline,
          automated: 0,
        });
        await insertCaseEvent(tx.db, { caseId, at: tx.at, kind: 'opened', actor: reporter.actor, payload: { rule: rule.id, deadline } });
      }
      // Seen by this process's next report at once; by other instances through `updated_at`.
      if (image?.pdq !== undefined && (!existing || !existing.image_pdq)) this.openCases.add(caseId, image.pdq);
      const { image: _image, ...content } = body.content;
      await insertReport(tx.db, {
        id: reportId,
        case_id: caseId,
        received_at: tx.at,
        reporter_type: body.reporter.type,
        reporter_authenticated: reporter.authenticated ? 1 : 0,
        reporter: JSON.stringify({ name: body.reporter.name ?? null, email: body.reporter.email ?? null, contact: body.reporter.contact ?? null }),
        jurisdiction: body.jurisdiction,
        category: body.category,
        content_id: content.id ?? null,
        content_url: content.url ?? null,
        image_pdq: image?.pdq ?? null,
        image_sha256: image?.sha256 ?? null,
        body: JSON.stringify({
          explanation: body.explanation ?? null,
          good_faith: body.good_faith ?? null,
          non_consensual: body.non_consensual ?? null,
          signature: body.signature ?? null,
        }),
        missing: JSON.stringify(missing),
        rule_id: rule.id,
        deadline,
      });
      await insertCaseEvent(tx.db, {
        caseId,
        at: tx.at,
        kind: 'report',
        actor: reporter.actor,
        payload: { report: reportId, missing: missing.map((m) => m.field) },
      });
      // The audit entry names no reporter: the chain is shared evidence, the reporter's details stay in the case.
      await tx.audit([
        {
          kind: 'report.received',
          subject: caseId,
          actor: reporter.actor,
          payload: {
            report: reportId,
            case: caseId,
            merged: existing !== undefined,
            reporter_type: body.reporter.type,
            authenticated: reporter.authenticated,
            rule: rule.id,
            deadline,
            image_sha256: image?.sha256 ?? null,
            missing: missing.map((m) => m.field),
          },
        },
      ]);
      const removed = known ? await this.removeKnown(tx, caseId, body, image!, known) : false;
      const chosen = caseRule === rule.id ? rule : (resolveRuleById(rules, caseRule) ?? rule);
      return {
        id: reportId,
        case_id: caseId,
        deadline: caseDeadline,
        rule: { id: chosen.id, hours: chosen.hours, basis: chosen.basis, source: chosen.source },
        missing,
        merged: existing !== undefined,
        ...(removed && known ? { removed_automatically: known } : {}),
      };
    }, outer);
  }

  /** The closest match of the reported image in a bank whose content is removed automatically. */
  private async knownContent(image: HashedImage): Promise<{ bank: string; purpose: string; distance: number } | undefined> {
    if (!this.options.bankMatcher || !this.options.webhooks) return undefined;
    const summary = {
      index: 0,
      sha256: image.sha256,
      bytes: 0,
      ...(image.pdq && image.quality !== undefined ? { pdq: { hash: image.pdq, quality: image.quality } } : {}),
    };
    const found = await this.options.bankMatcher.match({ stage: 'request', requesterId: null, images: [summary] });
    const hits = (found.bankMatches ?? []).filter((m) => AUTOMATIC_REMOVAL_PURPOSES.includes(m.purpose)).sort((a, b) => a.distance - b.distance);
    const best = hits[0];
    return best ? { bank: best.bank, purpose: best.purpose, distance: best.distance } : undefined;
  }

  /**
   * Removes known content in the intake's own transaction: the case is actioned before the
   * reporter has the receipt. Only a case still waiting for a decision moves; one a reviewer
   * already decided (or closed) keeps that decision.
   */
  private async removeKnown(
    tx: Tx,
    caseId: string,
    body: ReportBody,
    image: HashedImage,
    known: { bank: string; purpose: string; distance: number },
  ): Promise<boolean> {
    const current = await tx.db.selectFrom('cases').select(['state', 'content_id', 'content_url']).where('id', '=', caseId).executeTakeFirstOrThrow();
    if (current.state !== 'open' && current.state !== 'in_review') return false;
    const reason = `The reported image matches known content in the bank "${known.bank}" (${known.purpose}, PDQ distance ${known.distance}); removed automatically.`;
    const webhook = await this.options.webhooks!.enqueue(tx, {
      type: 'content.remove',
      subject: { caseId },
      payload: {
        case_id: caseId,
        content_id: current.content_id,
        content_url: current.content_url,
        image_sha256: image.sha256,
        category: body.category,
        jurisdiction: body.jurisdiction,
        reason,
        automated: true,
      },
    });
    if (!(await transitionCase(tx.db, caseId, current.state, { state: 'actioned', automated: 1, updated_at: tx.at }))) return false;
    const caseRow = this.options.statements ? await findCase(tx.db, caseId) : undefined;
    const statement = caseRow ? await this.options.statements!.recordForCase(tx, caseRow, 'content_removed', AUTOMATIC_ACTOR) : undefined;
    const details = { from: current.state, to: 'actioned', reason, bank: known.bank, distance: known.distance, webhook, ...(statement ? { statement } : {}) };
    await insertCaseEvent(tx.db, { caseId, at: tx.at, kind: 'remove', actor: AUTOMATIC_ACTOR, payload: details });
    await tx.audit([{ kind: 'case.remove', subject: caseId, actor: AUTOMATIC_ACTOR, payload: details }]);
    return true;
  }

  private async hashImage(bytes: Uint8Array): Promise<HashedImage> {
    const analysis = await this.options.imageAnalyser.analyse(bytes);
    return { sha256: analysis.summary.sha256, pdq: analysis.summary.pdq?.hash, quality: analysis.summary.pdq?.quality };
  }

  private async findCaseFor(tx: Tx, contentId: string | undefined, pdq: string | undefined) {
    if (contentId !== undefined) {
      const byId = await findOpenCaseByContentId(tx.db, contentId);
      if (byId) return byId;
    }
    if (pdq === undefined) return undefined;
    // Inside the transaction: a case another report opened a moment ago is seen, not duplicated.
    await this.openCases.refresh(tx.db);
    for (const hit of this.openCases.search(pdq, this.options.mergeDistance ?? PROTECTED_MAX_DISTANCE)) {
      const row = await findCase(tx.db, hit.caseId);
      if (row && row.state !== 'closed') return row;
    }
    return undefined;
  }
}

interface HashedImage {
  sha256: string;
  pdq: string | undefined;
  quality: number | undefined;
}

function resolveRuleById(rules: ClockRules, id: string): ClockRule | undefined {
  return rules.rules.find((rule) => rule.id === id);
}
