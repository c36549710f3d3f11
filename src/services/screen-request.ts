import { z } from 'zod';

import { accountIdSchema } from '../domain/account-id.js';
import { SUBJECTS } from '../domain/policy/derive-facts.js';

/** Limits that keep one request's cost bounded; the HTTP body limit is derived from them. */
export const SCREEN_LIMITS = {
  promptChars: 4000,
  images: 4,
  /** Decoded bytes per image. */
  imageBytes: 20 * 1024 * 1024,
} as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Line breaks as `base64` (76 columns) and MIME encoders print them; nothing else is skipped. */
const LINE_BREAKS = /\r?\n/g;
const DATA_URL_PREFIX = /^data:image\/[a-z0-9.+-]+;base64,/i;

/**
 * Accepts plain base64 (with or without line breaks) or a `data:image/...;base64,` URL; returns
 * the bytes. The decoded size is checked before decoding (the body limit bounds the string).
 */
export const base64ImageSchema = z
  .string()
  .min(1, 'is empty: send the image file encoded as base64')
  .transform((value, ctx) => {
    const data = value.replace(DATA_URL_PREFIX, '').replace(LINE_BREAKS, '');
    // Over the limit is 413 (as the OpenAPI document says), not 400: parseInput maps this issue.
    if (Math.floor((data.length * 3) / 4) - (data.match(/=*$/)?.[0].length ?? 0) > SCREEN_LIMITS.imageBytes) {
      ctx.addIssue({
        code: 'custom',
        params: { error: 'image_too_large' },
        message: `is too large: an image may be at most ${SCREEN_LIMITS.imageBytes / 1024 / 1024} MiB decoded; compress or resize it before sending`,
      });
      return z.NEVER;
    }
    if (data.length % 4 !== 0 || !BASE64.test(data)) {
      ctx.addIssue({
        code: 'custom',
        message: 'is not valid base64: send the file bytes encoded with the standard base64 alphabet (A-Z, a-z, 0-9, +, /) and = padding',
      });
      return z.NEVER;
    }
    return new Uint8Array(Buffer.from(data, 'base64'));
  });

export const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. "ID"');

export const requesterSchema = z
  .strictObject({
    id: accountIdSchema.describe(
      "Your platform's id of the account asking for the edit (1-128 of A-Z a-z 0-9 . _ : @ + -). Consent is checked against it: an image owned by this account is an edit by self.",
    ),
    country: countryCode.optional().describe('Where the requester is, as an ISO 3166-1 alpha-2 code in capitals (e.g. "ID"); recorded with the decision.'),
  })
  .describe('Who asks for the edit. Optional, but without it every image with an owner counts as an edit by others.');

export const screenRequestSchema = z.strictObject({
  prompt: z
    .string()
    .max(SCREEN_LIMITS.promptChars, `is too long: at most ${SCREEN_LIMITS.promptChars} characters`)
    .refine((prompt) => prompt.trim().length > 0, 'is empty: send the instruction the user gave the image model')
    .describe(`The instruction the user gave the image model, as they typed it; 1 to ${SCREEN_LIMITS.promptChars} characters, not only whitespace.`),
  images: z
    .array(
      z.strictObject({
        data: base64ImageSchema.describe(
          `The image file (JPEG, PNG or WebP) as base64, plain (line breaks allowed) or as a data:image/...;base64, URL; at most ${SCREEN_LIMITS.imageBytes / 1024 / 1024} MiB decoded.`,
        ),
        owner: accountIdSchema
          .optional()
          .describe("The account id of the person the photo belongs to, if known: that account's consent settings must allow the edit."),
      }),
    )
    .max(SCREEN_LIMITS.images, `has too many images: at most ${SCREEN_LIMITS.images} reference images per request`)
    .default([])
    .describe(`The reference images the edit starts from, at most ${SCREEN_LIMITS.images}; default none (a text-only generation).`),
  subject: z
    .enum(SUBJECTS)
    .default('unknown')
    .describe(
      'What the reference images show: "adult" or "minor" (a real person of that age), "none" (no real person), or "unknown" (the default), which is treated as a real person.',
    ),
  requester: requesterSchema.optional(),
  jurisdiction: countryCode
    .optional()
    .describe('The country whose law applies to this request, as an ISO 3166-1 alpha-2 code in capitals (e.g. "ID"); recorded with the decision for reports.'),
});

export type ScreenRequestInput = z.input<typeof screenRequestSchema>;
export type ScreenRequest = z.output<typeof screenRequestSchema>;

export const screenOutputSchema = z.strictObject({
  /** The id of the request decision (from screening the request) that produced this image. */
  request_id: z
    .string()
    .regex(/^dec_[0-9a-f]{32}$/, 'must be the id of the request decision ("dec_" and 32 hex digits) that produced this image')
    .describe('The id ("dec_" and 32 hex digits) of the decision that screening the request returned, for the request that produced this image.'),
  image: z
    .strictObject({
      data: base64ImageSchema.describe(
        `The generated image file (JPEG, PNG or WebP) as base64, plain (line breaks allowed) or as a data:image/...;base64, URL; at most ${SCREEN_LIMITS.imageBytes / 1024 / 1024} MiB decoded.`,
      ),
    })
    .describe('The image the model produced.'),
});

export type ScreenOutput = z.output<typeof screenOutputSchema>;
