import { z } from 'zod';

import { accountIdSchema } from '../domain/account-id.js';
import { SUBJECTS } from '../domain/policy/derive-facts.js';
import { countryCode, SCREEN_LIMITS } from './screen-request.js';

/** Bounds of the guarded image API beyond those of screening (SCREEN_LIMITS). */
export const GUARD_LIMITS = {
  /**
   * Images one request may ask for. Each output is decoded, run through the image models and
   * recorded before it is returned, so the count is bounded like reference images are.
   */
  n: SCREEN_LIMITS.images,
  /** Reference images of one edit (the mask comes on top). */
  images: SCREEN_LIMITS.images,
  /** Bytes of one text field of a multipart edit (the prompt is the largest). */
  fieldBytes: 64 * 1024,
  /** Text fields of a multipart edit: the options below and a few to spare. */
  fields: 24,
} as const;

const prompt = z
  .string()
  .max(SCREEN_LIMITS.promptChars, `is too long: at most ${SCREEN_LIMITS.promptChars} characters`)
  .refine((text) => text.trim().length > 0, 'is empty: send the description of the image to make')
  .describe(`What to make or change, as the user typed it; 1 to ${SCREEN_LIMITS.promptChars} characters. Screened before anything is generated.`);

/**
 * OpenAI's optional fields, forwarded upstream exactly as sent. Numbers arrive as numbers in
 * JSON and as text in a multipart form, hence the two variants.
 */
function options(numbers: 'json' | 'form') {
  const int = (min: number, max: number, what: string) =>
    (numbers === 'json' ? z.number() : z.coerce.number())
      .int(`must be a whole number ${what}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`);
  return {
    model: z.string().min(1).max(100).optional().describe('The upstream model, e.g. "gpt-image-1"; forwarded as sent (absent: the upstream\'s default).'),
    n: int(1, GUARD_LIMITS.n, `from 1 to ${GUARD_LIMITS.n}`)
      .optional()
      .describe(`How many images to make, 1 to ${GUARD_LIMITS.n} (each is screened before it is returned); default 1.`),
    size: z
      .string()
      .regex(/^(auto|[0-9]{2,5}x[0-9]{2,5})$/, 'must be "auto" or WIDTHxHEIGHT, e.g. "1024x1024"')
      .optional()
      .describe('The image size the upstream should make: "auto" or WIDTHxHEIGHT such as "1024x1024", as the model accepts.'),
    quality: z
      .enum(['auto', 'low', 'medium', 'high', 'standard', 'hd'])
      .optional()
      .describe('"auto", "low", "medium", "high" (gpt-image models) or "standard", "hd" (dall-e-3); forwarded as sent.'),
    response_format: z
      .enum(['b64_json', 'url'])
      .optional()
      .refine((format) => format !== 'url', {
        message:
          'must be "b64_json" or absent: Perisai returns every screened image inline and never hands out links to images outside its control ("url" is not offered)',
      })
      .describe(
        'Only "b64_json" (or absent): each image comes back inline as base64. "url" is refused with 400, because a link would reach an image outside the guard.',
      ),
    output_format: z.enum(['png', 'jpeg', 'webp']).optional().describe('"png", "jpeg" or "webp": the format the upstream should encode the image in.'),
    output_compression: int(0, 100, 'from 0 to 100').optional().describe('Compression level 0-100 for "jpeg" and "webp" outputs; forwarded as sent.'),
    background: z.enum(['auto', 'transparent', 'opaque']).optional().describe('"auto", "transparent" or "opaque"; forwarded as sent.'),
    user: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        "Your end user's id, forwarded upstream. Without an X-Perisai-Requester header it is also the requester consent is checked against, so it must then be an account id (1-128 of A-Z a-z 0-9 . _ : @ + -).",
      ),
  };
}

export const imageGenerationSchema = z.strictObject({
  prompt,
  ...options('json'),
  moderation: z.enum(['auto', 'low']).optional().describe('The upstream\'s own moderation level, "auto" or "low"; Perisai screens either way.'),
  style: z.enum(['vivid', 'natural']).optional().describe('"vivid" or "natural" (dall-e-3); forwarded as sent.'),
});

export type ImageGeneration = z.output<typeof imageGenerationSchema>;

/** The text fields of a multipart edit; its files (`image`, `image[]`, `mask`) are read beside them. */
export const imageEditFieldsSchema = z.strictObject({
  prompt,
  ...options('form'),
  input_fidelity: z.enum(['low', 'high']).optional().describe('How closely the upstream keeps the input\'s features, "low" or "high"; forwarded as sent.'),
});

export type ImageEditFields = z.output<typeof imageEditFieldsSchema>;

/** Who is asking and whose photo it is; none required. Header names are lower case as Node gives them. */
export const guardHeadersSchema = z.object({
  'x-perisai-requester': accountIdSchema
    .optional()
    .describe(
      "Your platform's account id of the person asking; consent is checked against it (an image they own is an edit by self). Default: the body's `user`.",
    ),
  'x-perisai-image-owner': accountIdSchema
    .optional()
    .describe("The account id of the person the edited photo belongs to, if known: that account's consent settings must allow the edit."),
  'x-perisai-subject': z
    .enum(SUBJECTS)
    .optional()
    .describe(
      'What the images show: "adult" or "minor" (a real person of that age), "none" (no real person) or "unknown" (the default, treated as a real person).',
    ),
  'x-perisai-jurisdiction': countryCode
    .optional()
    .describe('The country whose law applies, as an ISO 3166-1 alpha-2 code in capitals (e.g. "ID"); recorded with each decision.'),
});

export type GuardHeaders = z.output<typeof guardHeadersSchema>;
