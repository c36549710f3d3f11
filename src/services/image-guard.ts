import { accountIdSchema } from '../domain/account-id.js';
import type { DecisionRecord } from '../domain/decision-record.js';
import { isPerisaiError, PerisaiError } from '../domain/errors.js';
import type { Subject } from '../domain/policy/derive-facts.js';
import type { Policy } from '../domain/policy/schema.js';
import { visibleLabelFor } from '../domain/policy/visible-label.js';
import type { GuardHeaders, ImageEditFields, ImageGeneration } from './image-guard-input.js';
import type { ImageUpstream, MarkedImage, ProvenanceMarker, UpstreamFile, UpstreamImages } from './ports.js';
import type { ScreeningService } from './screening.js';

export interface ImageGuardDeps {
  screening: ScreeningService;
  /** Absent when PERISAI_UPSTREAM_URL is not set: every request is refused before screening. */
  upstream: ImageUpstream | undefined;
  provenance: ProvenanceMarker;
  policy: () => Policy;
}

/** A guarded generation (JSON) or edit (multipart), already validated at the edge. */
export type GuardedRequest =
  | { kind: 'generation'; body: ImageGeneration; headers: GuardHeaders }
  | { kind: 'edit'; body: ImageEditFields; headers: GuardHeaders; images: UpstreamFile[]; mask?: UpstreamFile | undefined };

/** What happened to one upstream image: returned (signed) or withheld by its output decision. */
export interface GuardedOutput {
  index: number;
  decisionId: string;
  decision: DecisionRecord['decision'];
  categories: DecisionRecord['categories'];
  returned: boolean;
}

export interface GuardedImages {
  created: number;
  images: Array<{ image: MarkedImage; revisedPrompt?: string }>;
  upstream: Omit<UpstreamImages, 'images' | 'created'>;
  requestDecisionId: string;
  outputs: GuardedOutput[];
}

/**
 * The drop-in guard in front of and behind an image model: screens the request (prompt, every
 * image, the mask as an image too, since a mask is usually the photo itself with a hole cut in
 * it and its region exempts nothing), forwards it only when allowed, screens and records every
 * image the model returns, and signs the ones it returns. `review` counts as not allowed: a
 * drop-in client has no way to wait for a reviewer, so the request fails closed.
 */
export class ImageGuardService {
  constructor(private readonly deps: ImageGuardDeps) {}

  async run(request: GuardedRequest, actor: string): Promise<GuardedImages> {
    const upstream = this.deps.upstream;
    // Before screening: a decision recorded for a request that could never be sent would mislead the ledger.
    if (!upstream) {
      throw new PerisaiError(
        'upstream_not_configured',
        'No upstream image service is configured: the operator must set PERISAI_UPSTREAM_URL (and PERISAI_UPSTREAM_KEY if it needs one) and restart.',
      );
    }
    const { body, headers } = request;
    const requester = requesterOf(headers, body.user);
    const files = request.kind === 'edit' ? [...request.images, ...(request.mask ? [request.mask] : [])] : [];
    const owner = headers['x-perisai-image-owner'];
    const screened = await this.screenImages(request.kind === 'edit', () =>
      this.deps.screening.screenRequest(
        {
          prompt: body.prompt,
          images: files.map((file) => ({ data: file.bytes, ...(owner ? { owner } : {}) })),
          subject: headers['x-perisai-subject'] ?? ('unknown' satisfies Subject),
          ...(requester ? { requester: { id: requester } } : {}),
          ...(headers['x-perisai-jurisdiction'] ? { jurisdiction: headers['x-perisai-jurisdiction'] } : {}),
        },
        actor,
      ),
    );
    if (screened.decision !== 'allow') throw blocked(screened);

    const { prompt, ...rest } = body;
    const fields = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as Record<string, string | number>;
    const answer =
      request.kind === 'edit'
        ? await upstream.edit({ prompt, fields, images: request.images, ...(request.mask ? { mask: request.mask } : {}) })
        : await upstream.generate({ prompt, fields });

    const outputs: GuardedOutput[] = [];
    const images: GuardedImages['images'] = [];
    for (const [index, produced] of answer.images.entries()) {
      // The label changes pixels, so the labelled image is what is screened, recorded and signed.
      const labelled = await this.deps.provenance.label(produced.bytes, { visibleLabel: this.visibleLabel(headers['x-perisai-jurisdiction']) });
      const output = await this.screenOutput(screened.id, labelled, actor);
      const returned = output.decision === 'allow';
      outputs.push({ index, decisionId: output.id, decision: output.decision, categories: output.categories, returned });
      if (!returned) continue;
      const image = await this.deps.provenance.sign(
        labelled,
        {
          generator: body.model ?? 'unknown',
          decisionId: output.id,
          requestDecisionId: screened.id,
          policyVersion: output.policyVersion,
          visibleLabel: this.visibleLabel(headers['x-perisai-jurisdiction']),
        },
        body.output_format,
      );
      images.push({ image, ...(produced.revisedPrompt !== undefined ? { revisedPrompt: produced.revisedPrompt } : {}) });
    }
    if (images.length === 0) throw withheld(screened, outputs);
    const { images: _images, created, ...upstreamFields } = answer;
    return { created, images, upstream: upstreamFields, requestDecisionId: screened.id, outputs };
  }

  /** Whether the policy wants a visible "AI-generated" label for this jurisdiction (on for India by default). */
  private visibleLabel(jurisdiction: string | undefined): boolean {
    return visibleLabelFor(this.deps.policy(), jurisdiction);
  }

  /** An image the client sent that cannot be decoded is theirs to fix: its error names the field. */
  private async screenImages(edit: boolean, screen: () => Promise<DecisionRecord>): Promise<DecisionRecord> {
    try {
      return await screen();
    } catch (error) {
      if (edit && isPerisaiError(error) && error.code.startsWith('image_')) {
        throw new PerisaiError(error.code, `An image or the mask could not be used: ${error.message}`, { ...error.details, param: 'image' });
      }
      throw error;
    }
  }

  /** An upstream image Perisai cannot decode is the upstream's fault (502), never the client's. */
  private async screenOutput(requestId: string, bytes: Uint8Array, actor: string): Promise<DecisionRecord> {
    try {
      // A marker may hand back a view on a shared buffer; screening takes bytes it owns.
      const data = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
      return await this.deps.screening.screenOutput({ request_id: requestId, image: { data } }, actor);
    } catch (error) {
      if (isPerisaiError(error) && error.code.startsWith('image_')) {
        throw new PerisaiError(
          'upstream_failed',
          `The upstream image service returned an image Perisai cannot screen (${error.message}); nothing was returned. Try again, or tell the operator.`,
          { perisai: { request_decision_id: requestId } },
        );
      }
      throw error;
    }
  }
}

/**
 * The requester header wins; otherwise OpenAI's `user`. A `user` that is not an account id is
 * refused rather than dropped: without a requester every owned photo counts as someone else's,
 * so dropping it silently would turn an edit of one's own photo into a puzzling block.
 */
function requesterOf(headers: GuardHeaders, user: string | undefined): string | undefined {
  const header = headers['x-perisai-requester'];
  if (header !== undefined || user === undefined) return header;
  if (accountIdSchema.safeParse(user).success) return user;
  throw new PerisaiError(
    'invalid_request',
    'The field user is not an account id (1-128 of A-Z a-z 0-9 . _ : @ + -), and without an X-Perisai-Requester header it names the requester: send your account id in X-Perisai-Requester, or a user of those characters.',
    { param: 'user' },
  );
}

/** The request's refusal in words a user understands, with Perisai's decision kept apart. */
function blocked(record: DecisionRecord): PerisaiError {
  const why = record.reasons[0]?.message;
  const message =
    record.decision === 'review'
      ? `This request was held for review by a person and was not sent to the image model${why ? `: ${why}` : '.'}`
      : `This request was refused and was not sent to the image model${why ? `: ${why}` : '.'}`;
  const imageEvidence = record.reasons.some((reason) => reason.evidence.some((e) => e.source === 'image' || e.source === 'consent' || e.source === 'bank'));
  return new PerisaiError('moderation_blocked', message, {
    param: imageEvidence ? 'image' : 'prompt',
    perisai: {
      decision_id: record.id,
      decision: record.decision,
      categories: record.categories,
      reasons: record.reasons.map((reason) => ({ rule: reason.rule, category: reason.category, message: reason.message })),
    },
  });
}

function withheld(request: DecisionRecord, outputs: GuardedOutput[]): PerisaiError {
  return new PerisaiError(
    'moderation_blocked',
    outputs.length === 1
      ? 'The image the model made was refused by screening and was not returned; change the prompt and try again.'
      : `All ${outputs.length} images the model made were refused by screening and none was returned; change the prompt and try again.`,
    {
      param: null,
      perisai: {
        decision_id: request.id,
        decision: 'block',
        categories: [...new Set(outputs.flatMap((output) => output.categories))],
        outputs: outputs.map(outputView),
      },
    },
  );
}

export function outputView(output: GuardedOutput) {
  return { index: output.index, decision_id: output.decisionId, decision: output.decision, categories: output.categories, returned: output.returned };
}
