import { z } from 'zod';

import type { DecisionRecord } from '../domain/decision-record.js';
import { type ModerationInputType, toOpenAiModeration } from '../domain/moderation.js';
import { base64ImageSchema, SCREEN_LIMITS, type ScreenRequest } from './screen-request.js';
import type { ScreeningService } from './screening.js';

/** Strings one call may moderate, each screened and recorded as its own decision. */
export const MODERATION_MAX_STRINGS = 32;

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;

const text = z.string().max(SCREEN_LIMITS.promptChars, `is too long: at most ${SCREEN_LIMITS.promptChars} characters per input`);

const imageUrl = z
  .string()
  .refine((url) => DATA_URL.test(url), {
    message: 'must be a data: URL such as "data:image/png;base64,…": Perisai never fetches images from the network, so send the bytes',
  })
  .pipe(base64ImageSchema);

const part = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text').describe('"text".'), text: text.describe('The text to moderate.') }).describe('A text part.'),
  z
    .strictObject({
      type: z.literal('image_url').describe('"image_url".'),
      image_url: z
        .strictObject({
          url: imageUrl.describe(
            `The image as a data:image/...;base64, URL (JPEG, PNG or WebP, at most ${SCREEN_LIMITS.imageBytes / 1024 / 1024} MiB decoded).`,
          ),
        })
        .describe('The image.'),
    })
    .describe('An image part.'),
]);

/** OpenAI's moderation request, as its SDK sends it. */
export const moderationRequestSchema = z.strictObject({
  input: z
    .union([
      text,
      z.array(text).min(1, 'is empty: send at least one string').max(MODERATION_MAX_STRINGS, `has too many strings: at most ${MODERATION_MAX_STRINGS}`),
      z
        .array(part)
        .min(1, 'is empty: send at least one part')
        .refine((parts) => parts.filter((p) => p.type === 'image_url').length <= SCREEN_LIMITS.images, {
          message: `has too many images: at most ${SCREEN_LIMITS.images} per call`,
        }),
    ])
    .describe(
      `A string, an array of strings (one result each, at most ${MODERATION_MAX_STRINGS}), or an array of {type:"text"} and {type:"image_url"} parts judged together (one result; at most ${SCREEN_LIMITS.images} images, as data: URLs).`,
    ),
  model: z
    .string()
    .max(128, 'is too long: at most 128 characters')
    .optional()
    .describe("Accepted for compatibility (e.g. omni-moderation-latest) and ignored: Perisai's policy decides."),
});

export type ModerationRequest = z.output<typeof moderationRequestSchema>;

/** Who asks and about whom, when the caller says (the guard's X-Perisai-* headers); default unknown, as in screening. */
export type ModerationContext = Partial<Pick<ScreenRequest, 'subject' | 'requester' | 'jurisdiction'>>;

export interface ModerationOutcome {
  record: DecisionRecord;
  result: ReturnType<typeof toOpenAiModeration>;
}

/**
 * OpenAI-compatible moderation on top of screening: each input becomes one screened request
 * (recorded and audited like any other), and its decision is also given in OpenAI's categories.
 */
export class ModerationService {
  constructor(private readonly screening: ScreeningService) {}

  async moderate(request: ModerationRequest, actor: string, context: ModerationContext = {}): Promise<ModerationOutcome[]> {
    const outcomes: ModerationOutcome[] = [];
    for (const item of itemsOf(request.input)) {
      const record = await this.screening.screenRequest(
        { prompt: item.prompt, images: item.images.map((data) => ({ data })), subject: context.subject ?? 'unknown', ...withContext(context) },
        actor,
      );
      outcomes.push({ record, result: toOpenAiModeration(record, item.types) });
    }
    return outcomes;
  }
}

interface ModerationItem {
  prompt: string;
  images: ScreenRequest['images'][number]['data'][];
  types: Set<ModerationInputType>;
}

/** A string or each string of an array is one item; an array of parts is one item, its texts joined. */
function itemsOf(input: ModerationRequest['input']): ModerationItem[] {
  if (typeof input === 'string') return [{ prompt: input, images: [], types: new Set(['text']) }];
  const parts = input.map((entry) => (typeof entry === 'string' ? { type: 'text' as const, text: entry } : entry));
  if (input.every((entry) => typeof entry === 'string')) {
    return parts.map((entry) => ({ prompt: entry.type === 'text' ? entry.text : '', images: [], types: new Set(['text']) }));
  }
  const texts = parts.flatMap((entry) => (entry.type === 'text' ? [entry.text] : []));
  const images = parts.flatMap((entry) => (entry.type === 'image_url' ? [entry.image_url.url] : []));
  const types = new Set<ModerationInputType>([...(texts.length > 0 ? ['text' as const] : []), ...(images.length > 0 ? ['image' as const] : [])]);
  return [{ prompt: texts.join('\n'), images, types }];
}

function withContext(context: ModerationContext): Partial<ScreenRequest> {
  return {
    ...(context.requester ? { requester: context.requester } : {}),
    ...(context.jurisdiction ? { jurisdiction: context.jurisdiction } : {}),
  };
}
