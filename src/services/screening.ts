import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Clock } from '../domain/clock.js';
import type { DecisionRecord, ImageSummary } from '../domain/decision-record.js';
import { isPerisaiError, PerisaiError } from '../domain/errors.js';
import { deriveFacts, type ImageObservation, type ScreeningObservations } from '../domain/policy/derive-facts.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import { applyRequestOutcome } from '../domain/policy/output-of-request.js';
import type { Policy } from '../domain/policy/schema.js';
import type { TextDetector, TextSignals } from '../domain/signals.js';
import { findDecisionActor } from '../store/repositories/audit-log.js';
import { findDecision, listDecisionsByOutcome } from '../store/repositories/decisions.js';
import type { Db } from '../store/store.js';
import type { DecisionRecorder } from './decision-recorder.js';
import type { EvidenceService } from './evidence.js';
import type { DetectorFailure, ImageAnalyser, ImageAnalysis, Matcher, MatchResult } from './ports.js';
import type { ScreenOutput, ScreenRequest } from './screen-request.js';

export interface ScreeningDeps {
  policy: () => Policy;
  /** For reading the request decision an output belongs to. */
  db: Db;
  textDetector: TextDetector;
  imageAnalyser: ImageAnalyser;
  matchers?: Matcher[];
  recorder: DecisionRecorder;
  clock: Clock;
  /** Keeps the images of an escalated screening as encrypted evidence (when a key is configured). */
  evidence?: EvidenceService;
}

/**
 * Screens one request before generation: text and image signals, matches, policy, and the
 * decision recorded with its audit entry before the answer is returned.
 */
export class ScreeningService {
  constructor(private readonly deps: ScreeningDeps) {}

  /** A recorded decision by its id, or undefined. */
  decision(id: string): Promise<DecisionRecord | undefined> {
    return findDecision(this.deps.db, id);
  }

  /**
   * Decisions held for a person (`review`), newest first, a page at a time; `cursor` is the
   * `next_cursor` of the previous page.
   */
  async heldForReview(limit: number, cursor?: string): Promise<{ decisions: DecisionRecord[]; next_cursor: string | null }> {
    const before = cursor === undefined ? undefined : decodeHeldCursor(cursor);
    const rows = await listDecisionsByOutcome(this.deps.db, 'review', before, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      decisions: page,
      next_cursor: rows.length > limit && last ? Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url') : null,
    };
  }

  async screenRequest(request: ScreenRequest, actor: string): Promise<DecisionRecord> {
    const started = performance.now();
    const failures: DetectorFailure[] = [];
    const text = this.analyseText(request.prompt, failures);

    const summaries: ImageSummary[] = [];
    const observations: ImageObservation[] = [];
    for (const [index, image] of request.images.entries()) {
      const analysed = await this.analyseImage(image.data, failures);
      summaries.push({ index, ...analysed.summary, ...(image.owner ? { owner: image.owner } : {}) });
      observations.push({ index, ...analysed.observation });
    }

    const matches = await this.match({ stage: 'request', requesterId: request.requester?.id ?? null, images: summaries }, failures);
    const policy = this.deps.policy();
    const observed: ScreeningObservations = {
      stage: 'request',
      subject: request.subject,
      text,
      imageCount: request.images.length,
      images: observations,
      consentWithheld: matches.consentWithheld,
      bankMatches: matches.bankMatches,
      accountSuspended: matches.accountSuspended,
      failures,
    };
    const { facts, evidence } = deriveFacts(policy, observed);
    const verdict = evaluatePolicy(policy, facts, evidence);

    const record: DecisionRecord = {
      id: newDecisionId(),
      createdAt: this.deps.clock.now().toISOString(),
      stage: 'request',
      ...verdict,
      signals: { text, images: summaries, facts, detectors: this.detectorNames(), failures },
      policyVersion: policy.version,
      prompt: request.prompt,
      subject: request.subject,
      requester: request.requester ?? null,
      jurisdiction: request.jurisdiction ?? null,
      requestId: null,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    await this.deps.recorder.record(
      record,
      actor,
      [],
      this.evidenceOf(
        record,
        request.images.map((image) => image.data),
      ),
    );
    return record;
  }

  /**
   * The images of a decision the policy escalated (suspected child sexual abuse material),
   * sealed for keeping: the pixels are needed for the report and exist nowhere else once the
   * request is answered. Other images are never kept.
   */
  private evidenceOf(record: DecisionRecord, images: Uint8Array[]) {
    if (!this.deps.evidence || !record.actions.includes('escalate')) return [];
    return images.flatMap((bytes) => this.deps.evidence!.seal('screening', bytes, { decisionId: record.id }, record.createdAt) ?? []);
  }

  /**
   * Screens a generated image before anyone sees it, in the light of the request that produced
   * it (its subject and text signals), and records it in the generation ledger by PDQ and SHA-256.
   */
  async screenOutput(output: ScreenOutput, actor: string): Promise<DecisionRecord> {
    const started = performance.now();
    const request = await findDecision(this.deps.db, output.request_id);
    // Another key's request is answered exactly like a missing one, so ids cannot be probed across keys.
    if (!request || request.stage !== 'request' || (await findDecisionActor(this.deps.db, request.id)) !== actor) {
      throw new PerisaiError(
        'not_found',
        `No request screened with this API key has the id ${output.request_id}: screen the request first, with the same key, and pass the id of its decision.`,
      );
    }
    const failures: DetectorFailure[] = [];
    const analysed = await this.analyseImage(output.image.data, failures);
    const summary: ImageSummary = { index: 0, ...analysed.summary };
    const matches = await this.match({ stage: 'output', requesterId: request.requester?.id ?? null, images: [summary] }, failures);
    const policy = this.deps.policy();
    const { facts, evidence } = deriveFacts(policy, {
      stage: 'output',
      subject: request.subject,
      text: request.signals.text,
      imageCount: 1,
      images: [{ index: 0, ...analysed.observation }],
      consentWithheld: matches.consentWithheld,
      bankMatches: matches.bankMatches,
      accountSuspended: matches.accountSuspended,
      failures,
    });
    const verdict = applyRequestOutcome(evaluatePolicy(policy, facts, evidence), request);
    const record: DecisionRecord = {
      id: newDecisionId(),
      createdAt: this.deps.clock.now().toISOString(),
      stage: 'output',
      ...verdict,
      signals: { text: request.signals.text, images: [summary], facts, detectors: this.detectorNames(), failures },
      policyVersion: policy.version,
      prompt: request.prompt,
      subject: request.subject,
      requester: request.requester,
      jurisdiction: request.jurisdiction,
      requestId: request.id,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    await this.deps.recorder.record(
      record,
      actor,
      [
        {
          decisionId: record.id,
          requestId: request.id,
          requesterId: request.requester?.id ?? null,
          pdq: summary.pdq?.hash ?? null,
          quality: summary.pdq?.quality ?? null,
          sha256: summary.sha256,
          decision: record.decision,
          createdAt: record.createdAt,
        },
      ],
      this.evidenceOf(record, [output.image.data]),
    );
    return record;
  }

  private analyseText(prompt: string, failures: DetectorFailure[]): TextSignals | null {
    try {
      return this.deps.textDetector.analyse(prompt);
    } catch (error) {
      failures.push({ detector: this.deps.textDetector.name, message: `crashed: ${(error as Error).message}` });
      return null;
    }
  }

  private async analyseImage(bytes: Uint8Array, failures: DetectorFailure[]): Promise<Pick<ImageAnalysis, 'summary' | 'observation'>> {
    const analysed = await this.deps.imageAnalyser.analyse(bytes);
    failures.push(...analysed.failures);
    return analysed;
  }

  private async match(context: Parameters<Matcher['match']>[0], failures: DetectorFailure[]): Promise<MatchResult> {
    const result: MatchResult = { consentWithheld: [], bankMatches: [], accountSuspended: [] };
    for (const matcher of this.deps.matchers ?? []) {
      try {
        const found = await matcher.match(context);
        result.consentWithheld.push(...(found.consentWithheld ?? []));
        result.bankMatches.push(...(found.bankMatches ?? []));
        result.accountSuspended.push(...(found.accountSuspended ?? []));
      } catch (error) {
        // The decision fails closed on this; its record, which clients read, names the failure but never carries driver text.
        failures.push({
          detector: matcher.name,
          message: `failed: ${isPerisaiError(error) ? error.message : `an internal error (${(error as Error).name ?? 'unknown'})`}`,
        });
      }
    }
    return result;
  }

  private detectorNames(): string[] {
    const { name, version, model } = this.deps.textDetector;
    const text = [`${name}@${version}`, ...(model === undefined ? [] : [`model:${model.name}@${model.version}`])];
    return [...text, ...this.deps.imageAnalyser.detectors, ...(this.deps.matchers ?? []).map((m) => m.name)];
  }
}

function newDecisionId(): string {
  return `dec_${randomUUID().replaceAll('-', '')}`;
}

function decodeHeldCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new PerisaiError('invalid_request', 'cursor is not one this server returned: pass next_cursor from the previous page unchanged.');
}
