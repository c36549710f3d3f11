import { randomUUID } from 'node:crypto';

import { buildPackage, type PackageFile, type TraceEntry } from '../domain/cybertip.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import { PerisaiError } from '../domain/errors.js';
import type { CaseRow } from '../store/repositories/cases.js';
import { findDecision } from '../store/repositories/decisions.js';
import type { EscalationTable } from '../store/schema.js';
import type { EvidenceService, EvidenceView } from './evidence.js';
import { PROTECTED_MAX_DISTANCE } from './hash-indexes.js';
import type { JobRecord } from './jobs.js';
import type { LedgerService } from './ledger.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

/** Where a package goes; only NCMEC's CyberTipline format is built today. */
export const ESCALATION_RECIPIENTS = ['ncmec'] as const;

/** A package as operators read and export it. */
export interface EscalationView {
  id: string;
  recipient: string;
  case_id: string | null;
  decision_id: string | null;
  created_at: string;
  actor: string;
  /** Always false: Perisai never submits. A person submits and records it in the case. */
  submitted: false;
  report_xml: string;
  file_details_xml: string[];
  /** The generation ledger's record of where the content came from. */
  trace: TraceEntry[];
  evidence: Array<{ id: string; sha256: string; bytes: number; retain_until: string; purged: boolean }>;
  to_complete: string[];
  omitted: string[];
}

export interface EscalationsOptions {
  uow: UnitOfWork;
  evidence: EvidenceService;
  ledger: LedgerService;
}

/**
 * Child-safety escalation: builds the CyberTipline report package for a case a reviewer
 * escalated to NCMEC, or for a decision the policy escalated (the `escalate` action), and stores
 * it for a person to check and submit. Perisai never submits on its own: a report to NCMEC is a
 * legal act of the platform, made by a person who has looked at it. Building a package extends
 * the retention of its evidence to a full period from the escalation.
 */
export class EscalationService {
  constructor(private readonly options: EscalationsOptions) {}

  /** The handler of `escalate` outbox jobs (decision-recorder.ts `actionJobs`). */
  readonly escalateHandler = async (job: JobRecord): Promise<void> => {
    const decisionId = (job.payload as { decision_id?: unknown }).decision_id;
    if (typeof decisionId !== 'string') throw new Error(`escalate job ${job.id} has no decision_id`);
    await this.fromDecision(decisionId, 'policy');
  };

  /** Builds the package of a decision the policy escalated; one per decision however often the job runs. */
  async fromDecision(decisionId: string, actor: string): Promise<string> {
    const record = await findDecision(this.options.uow.db, decisionId);
    if (!record) throw new PerisaiError('not_found', `No decision has the id ${decisionId}: the escalate job refers to a decision that is not stored.`);
    const trace = await this.traceOf(record.signals.images.map((image) => ({ sha256: image.sha256, pdq: image.pdq?.hash ?? null })));
    return this.options.uow.run(async (tx) => {
      const existing = await this.bySource(tx, `decision:${decisionId}`);
      if (existing) return existing.id;
      const evidence = await this.options.evidence.linkedTo({ decisionId }, tx);
      const files: PackageFile[] = record.signals.images.map((image) => ({
        evidenceId: liveEvidence(evidence, image.sha256)?.id ?? null,
        sha256: image.sha256,
        pdq: image.pdq?.hash ?? null,
        generativeAi: record.stage === 'output',
        receivedAt: record.createdAt,
        note:
          record.stage === 'output'
            ? `Generated image screened by Perisai before release (decision ${record.id}, request ${record.requestId ?? 'unknown'}); it was not released.`
            : `Reference image ${image.index} sent with a generation request screened by Perisai (decision ${record.id}); the request was ${record.decision === 'block' ? 'refused' : 'held'}.`,
      }));
      return this.store(tx, {
        sourceKey: `decision:${decisionId}`,
        caseId: null,
        decisionId,
        actor,
        incidentAt: record.createdAt,
        account: record.requester ? { id: record.requester.id, country: record.requester.country ?? null } : null,
        files,
        trace,
        evidence,
        summary: decisionSummary(record),
      });
    });
  }

  /**
   * Builds the package of a case a reviewer escalated to NCMEC, in the action's transaction.
   * A case has one package: escalating it again returns the first. `trace` comes from
   * `traceForCase`, read before the transaction (the ledger index is read outside it).
   */
  async fromCase(tx: Tx, row: CaseRow, actor: string, note: string | null, trace: TraceEntry[]): Promise<string> {
    const existing = await this.bySource(tx, `case:${row.id}`);
    if (existing) return existing.id;
    const decisionId = row.content_id?.startsWith('decision:') ? row.content_id.slice('decision:'.length) : null;
    const decision = decisionId ? await findDecision(tx.db, decisionId) : undefined;
    const evidence = await this.options.evidence.linkedTo({ caseId: row.id, decisionId }, tx);
    const files: PackageFile[] = row.image_sha256
      ? [
          {
            evidenceId: liveEvidence(evidence, row.image_sha256)?.id ?? null,
            sha256: row.image_sha256,
            pdq: row.image_pdq,
            generativeAi: trace.length > 0 || decision?.stage === 'output',
            receivedAt: row.opened_at,
            note:
              trace.length > 0
                ? `The reported image matches ${trace.length} image(s) generated through Perisai (generation ledger; closest PDQ distance ${trace[0]!.distance}).`
                : 'The reported image; Perisai has no record of generating it.',
          },
        ]
      : [];
    // The account to report is the one that generated the image, when the ledger knows it.
    const accountId = trace.find((entry) => entry.requester_id !== null)?.requester_id ?? decision?.requester?.id ?? null;
    const summary = [
      `Perisai case ${row.id} (category ${row.category}, jurisdiction ${row.jurisdiction}), opened ${row.opened_at}${Number(row.automated) === 1 ? ' on a policy decision' : ' on a report'}.`,
      decision ? decisionSummary(decision) : null,
      note ? `Reviewer's note: ${note}` : null,
    ]
      .filter((line): line is string => line !== null)
      .join('\n');
    return this.store(tx, {
      sourceKey: `case:${row.id}`,
      caseId: row.id,
      decisionId,
      actor,
      incidentAt: decision?.createdAt ?? row.opened_at,
      account: accountId ? { id: accountId, country: decision?.requester?.country ?? null } : null,
      files,
      trace,
      evidence,
      summary,
    });
  }

  /** Where a case's image came from, by the generation ledger. */
  traceForCase(row: Pick<CaseRow, 'image_sha256' | 'image_pdq'>): Promise<TraceEntry[]> {
    return row.image_sha256 || row.image_pdq ? this.traceOf([{ sha256: row.image_sha256, pdq: row.image_pdq }]) : Promise.resolve([]);
  }

  async list(filter: { caseId?: string | undefined; limit?: number } = {}): Promise<EscalationView[]> {
    let query = this.options.uow.db.selectFrom('escalations').selectAll();
    if (filter.caseId) query = query.where('case_id', '=', filter.caseId);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500))
      .execute();
    return rows.map(escalationView);
  }

  async get(id: string): Promise<EscalationView> {
    const row = await this.options.uow.db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new PerisaiError('not_found', `No escalation has the id ${id}: list escalations (perisai escalations list) to see the ids.`);
    return this.current(escalationView(row));
  }

  /** The package of a case, if it was escalated to NCMEC. */
  async forCase(caseId: string): Promise<EscalationView> {
    const row = await this.options.uow.db.selectFrom('escalations').selectAll().where('case_id', '=', caseId).orderBy('created_at').limit(1).executeTakeFirst();
    if (!row) {
      throw new PerisaiError('not_found', `Case ${caseId} has no escalation package: escalate it with to "ncmec" to build one.`);
    }
    return this.current(escalationView(row));
  }

  private async traceOf(images: Array<{ sha256: string | null; pdq: string | null }>): Promise<TraceEntry[]> {
    const seen = new Map<string, TraceEntry>();
    for (const image of images) {
      if (!image.sha256 && !image.pdq) continue;
      const matches = await this.options.ledger.lookup({
        ...(image.pdq ? { pdq: image.pdq } : {}),
        ...(image.sha256 ? { sha256: image.sha256 } : {}),
        max_distance: PROTECTED_MAX_DISTANCE,
      });
      for (const m of matches) {
        if (seen.has(m.decisionId)) continue;
        seen.set(m.decisionId, {
          output_decision_id: m.decisionId,
          request_id: m.requestId,
          requester_id: m.requesterId,
          distance: m.distance,
          generated_at: m.createdAt,
        });
      }
    }
    return [...seen.values()].sort((a, b) => a.distance - b.distance || a.generated_at.localeCompare(b.generated_at));
  }

  /** The evidence as it stands now: a hold extends it, a purge removes the pixels. */
  private async current(view: EscalationView): Promise<EscalationView> {
    if (view.evidence.length === 0) return view;
    const rows = await this.options.uow.db
      .selectFrom('evidence')
      .select(['id', 'retain_until', 'purged_at'])
      .where(
        'id',
        'in',
        view.evidence.map((item) => item.id),
      )
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return {
      ...view,
      evidence: view.evidence.map((item) => {
        const row = byId.get(item.id);
        return row ? { ...item, retain_until: row.retain_until, purged: row.purged_at !== null } : { ...item, purged: true };
      }),
    };
  }

  private bySource(tx: Tx, sourceKey: string) {
    return tx.db.selectFrom('escalations').select('id').where('source_key', '=', sourceKey).executeTakeFirst();
  }

  private async store(
    tx: Tx,
    input: {
      sourceKey: string;
      caseId: string | null;
      decisionId: string | null;
      actor: string;
      incidentAt: string;
      account: { id: string; country: string | null } | null;
      files: PackageFile[];
      trace: TraceEntry[];
      evidence: EvidenceView[];
      summary: string;
    },
  ): Promise<string> {
    const built = buildPackage({
      incidentAt: input.incidentAt,
      platform: null,
      reportingEmail: null,
      account: input.account,
      // Perisai sees the platform's server, never its users: no IP capture events exist to report.
      ipCaptureEvents: [],
      files: input.files,
      summary: input.summary,
    });
    const kept = input.evidence.filter((item) => item.purged_at === null);
    if (!this.options.evidence.enabled)
      built.omitted.push('evidence: no evidence key is configured (PERISAI_EVIDENCE_KEY), so no pixels were kept; only hashes');
    const id = `esc_${randomUUID().replaceAll('-', '')}`;
    await this.options.evidence.extend(
      tx,
      kept.map((item) => item.id),
      tx.at,
    );
    const evidence = kept.map((item) => ({
      id: item.id,
      sha256: item.sha256,
      bytes: item.bytes,
      retain_until: this.options.evidence.retainFrom(tx.at),
      purged: false,
    }));
    const body: PackageBody = {
      report_xml: built.reportXml,
      file_details_xml: built.fileDetailsXml,
      trace: input.trace,
      evidence,
      to_complete: built.toComplete,
      omitted: built.omitted,
    };
    await tx.db
      .insertInto('escalations')
      .values({
        id,
        source_key: input.sourceKey,
        case_id: input.caseId,
        decision_id: input.decisionId,
        recipient: 'ncmec',
        created_at: tx.at,
        actor: input.actor,
        package: JSON.stringify(body),
      })
      .execute();
    // The chain records that a package exists and what it covers, never its content (it names an account).
    await tx.audit([
      {
        kind: 'escalation.prepared',
        subject: id,
        actor: input.actor,
        payload: {
          recipient: 'ncmec',
          case: input.caseId,
          decision: input.decisionId,
          files: input.files.map((file) => file.sha256),
          evidence: evidence.map((item) => item.id),
          submitted: false,
        },
      },
    ]);
    return id;
  }
}

interface PackageBody {
  report_xml: string;
  file_details_xml: string[];
  trace: TraceEntry[];
  evidence: EscalationView['evidence'];
  to_complete: string[];
  omitted: string[];
}

function liveEvidence(evidence: EvidenceView[], sha256: string): EvidenceView | undefined {
  return evidence.find((item) => item.sha256 === sha256 && item.purged_at === null);
}

function decisionSummary(record: DecisionRecord): string {
  const rules = record.reasons.map((reason) => reason.rule).join(', ') || 'none';
  const banks = record.reasons
    .flatMap((reason) => reason.evidence)
    .filter((item) => item.source === 'bank')
    .map((item) => item.detail);
  return [
    `Perisai ${record.stage} screening decision ${record.id} at ${record.createdAt}: ${record.decision} (categories ${record.categories.join(', ') || 'none'}; rules ${rules}; policy ${record.policyVersion}).`,
    ...(banks.length > 0 ? [`Hash bank matches: ${banks.join(' ')}`] : []),
    'Detected automatically by Perisai; this package was prepared for review and has not been submitted.',
  ].join('\n');
}

function escalationView(row: EscalationTable): EscalationView {
  const body = JSON.parse(row.package) as PackageBody;
  return {
    id: row.id,
    recipient: row.recipient,
    case_id: row.case_id,
    decision_id: row.decision_id,
    created_at: row.created_at,
    actor: row.actor,
    submitted: false,
    report_xml: body.report_xml,
    file_details_xml: body.file_details_xml,
    trace: body.trace,
    evidence: body.evidence,
    to_complete: body.to_complete,
    omitted: body.omitted,
  };
}
