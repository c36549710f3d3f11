import { OPENAI_MODERATION_CATEGORIES } from '../domain/moderation.js';

/**
 * The moderation route's part of the OpenAPI document (its error body, OpenAI's, is the
 * OpenAiError schema of openapi-images.ts). Every field described, as for the rest of the API.
 */
type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string): JsonSchema => ({ type: 'string', description });
const perCategory = (description: string, value: JsonSchema): JsonSchema => ({
  type: 'object',
  description,
  properties: Object.fromEntries(
    OPENAI_MODERATION_CATEGORIES.map((category) => [category, { ...value, description: `${String(value.description)} (${category}).` }]),
  ),
});

const perisaiDecision: JsonSchema = {
  type: 'object',
  description: "Perisai's own decision on this input, recorded like any screening.",
  properties: {
    decision_id: str('The decision id ("dec_" and 32 hex digits); read it at GET /v1/decisions/{id}.'),
    decision: { enum: ['allow', 'review', 'block'], description: 'allow, review (hold for a person) or block.' },
    categories: { type: 'array', items: { type: 'string' }, description: "Perisai's harm categories of the rules that fired." },
    reasons: { type: 'array', items: { type: 'object' }, description: 'One entry per rule that fired, with its message and evidence (as in a Decision).' },
  },
};

const moderationResponse: JsonSchema = {
  type: 'object',
  description: "OpenAI's moderation response.",
  properties: {
    id: str('An id for this call, "modr_" and 32 hex digits.'),
    model: str('"perisai:" and the policy version that judged the input.'),
    results: {
      type: 'array',
      description: 'One result per string, or one for an array of parts.',
      items: {
        type: 'object',
        description: 'The verdict on one input.',
        properties: {
          flagged: {
            type: 'boolean',
            description:
              'True when any category is, and whenever Perisai did not allow the input (e.g. a protected photo): never false for something Perisai refused.',
          },
          categories: perCategory(
            'Whether each OpenAI category holds. Perisai judges sexual, sexual/minors and violence (sexual violence); the rest are always false.',
            {
              type: 'boolean',
              description: 'Whether the category holds',
            },
          ),
          category_scores: perCategory('A score in [0, 1] per category; 0 for the categories Perisai does not judge.', {
            type: 'number',
            description: 'The score',
          }),
          category_applied_input_types: perCategory(
            'Which input types (text, image) each category was judged on; empty for the categories Perisai does not judge.',
            {
              type: 'array',
              items: { enum: ['text', 'image'] },
              description: 'The input types judged',
            },
          ),
          perisai: perisaiDecision,
        },
      },
    },
  },
};

/** The moderation answer; its errors use the OpenAiError schema the image routes define (openapi-images.ts). */
export const openAiSchemas: Record<string, JsonSchema> = { ModerationResponse: moderationResponse };

/** The error responses of an OpenAI-compatible route, in OpenAI's body. */
export function openAiErrors(...codes: number[]): Record<string, JsonSchema> {
  const descriptions: Record<number, string> = {
    400: 'Invalid fields (the message names them), or code moderation_blocked: the policy refused the request.',
    401: 'Missing, unknown or revoked API key.',
    403: 'The key lacks the required scope.',
    413: 'Body or image too large.',
    415: 'Unsupported content type or image format.',
    422: 'An image that cannot be decoded.',
    429: 'Too many requests; retry after the Retry-After header.',
    502: 'The upstream image service failed or answered with something unusable.',
    503: 'Busy, the store is unavailable, or no upstream is configured.',
    504: 'The upstream image service did not answer in time.',
  };
  return Object.fromEntries(
    codes.map((code) => [String(code), { description: descriptions[code], content: { 'application/json': { schema: ref('OpenAiError') } } }]),
  );
}

export function moderationPaths(secured: JsonSchema[]): Record<string, Record<string, JsonSchema>> {
  return {
    '/v1/moderations': {
      post: {
        summary: "Moderate text and images, compatible with OpenAI's moderation API",
        description:
          "Takes OpenAI's request (input as a string, strings, or text and image_url parts with data: URLs) and answers in its shape, with OpenAI's full category list and Perisai's decision under `perisai`. Each input is screened and recorded like POST /v1/screen (subject unknown).",
        security: secured,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('ModerationRequest'),
              example: { model: 'omni-moderation-latest', input: [{ type: 'text', text: 'put her in a bikini' }] },
            },
          },
        },
        responses: {
          '200': { description: 'One result per input, each already recorded.', content: { 'application/json': { schema: ref('ModerationResponse') } } },
          ...openAiErrors(400, 401, 403, 413, 415, 422, 503),
        },
      },
    },
  };
}
