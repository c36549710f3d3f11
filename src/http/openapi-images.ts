import { z } from 'zod';

import { CATEGORIES, OUTCOMES } from '../domain/decision.js';
import { GUARD_LIMITS, guardHeadersSchema, imageEditFieldsSchema, imageGenerationSchema } from '../services/image-guard-input.js';
import { SCREEN_LIMITS } from '../services/screen-request.js';

/**
 * The guarded OpenAI-compatible image API in the OpenAPI document: OpenAI's request and
 * response shapes, the Perisai headers, and OpenAI's error body with Perisai's part beside it.
 */
type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string): JsonSchema => ({ type: 'string', description });
const MiB = 1024 * 1024;

function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const outputSchema: JsonSchema = {
  type: 'object',
  description: 'What screening decided about one image the upstream made.',
  properties: {
    index: { type: 'integer', description: "The image's position in the upstream's answer, from 0." },
    decision_id: str('The output decision ("dec_" and 32 hex digits), recorded in the generation ledger; read it at GET /v1/decisions/{id}.'),
    decision: { enum: [...OUTCOMES], description: 'The output decision; only "allow" is returned, "review" and "block" are withheld.' },
    categories: { type: 'array', items: { enum: [...CATEGORIES] }, description: 'The harm categories that fired on this image; empty when none did.' },
    returned: { type: 'boolean', description: 'Whether the image is in `data` (true) or was withheld (false).' },
  },
};

const imageFile = (description: string): JsonSchema => ({ type: 'string', format: 'binary', description });

export const imageSchemas: Record<string, JsonSchema> = {
  ImageGeneration: inputSchema(imageGenerationSchema),
  ImageEdit: (() => {
    const fields = inputSchema(imageEditFieldsSchema);
    return {
      ...fields,
      description: 'A multipart/form-data edit, as OpenAI clients send it: the text fields below and the files.',
      required: ['prompt', 'image'],
      properties: {
        image: imageFile(
          `The image to edit (PNG, JPEG or WebP, at most ${SCREEN_LIMITS.imageBytes / MiB} MiB); repeat the field as "image[]" for up to ${GUARD_LIMITS.images} images. Every one is screened; forwarded unchanged.`,
        ),
        'image[]': imageFile('Several images to edit, one file per field, as OpenAI clients send a list.'),
        mask: imageFile(
          'Optional mask (PNG whose transparent pixels mark where to edit). Screened like an image (it is usually the photo itself) and forwarded; it exempts no region from screening.',
        ),
        ...(fields.properties as Record<string, JsonSchema>),
      },
    };
  })(),
  ImagesResponse: {
    type: 'object',
    description: "OpenAI's ImagesResponse, every image screened and recorded, with Perisai's decisions in `perisai`.",
    required: ['created', 'data', 'perisai'],
    properties: {
      created: { type: 'integer', description: 'When the upstream made the images (Unix seconds), as it said.' },
      data: {
        type: 'array',
        description: 'The images screening allowed, each signed with a provenance manifest; withheld ones are left out.',
        items: {
          type: 'object',
          properties: {
            b64_json: str('The image file as base64.'),
            revised_prompt: str('The prompt the upstream says it used, when it gave one.'),
          },
        },
      },
      output_format: str('The images\' format ("png", "jpeg", "webp"), as the upstream said, or the format signing converted them to.'),
      size: str("The images' size, as the upstream said."),
      quality: str('The quality used, as the upstream said.'),
      background: str('The background used, as the upstream said.'),
      usage: { type: 'object', description: "The upstream's token usage, passed on as it gave it." },
      perisai: {
        type: 'object',
        description: "Perisai's decisions, apart from OpenAI's fields so a client that knows nothing of them is not disturbed.",
        properties: {
          request_decision_id: str('The decision on the request (prompt and images), made before anything was generated.'),
          outputs: { type: 'array', description: 'One entry per image the upstream made, returned or withheld.', items: outputSchema },
          note: str('Present when some images were withheld: how many, of how many.'),
          converted: {
            type: 'array',
            items: { type: ['string', 'null'] },
            description:
              'Present when signing converted an image to a format that carries a manifest: per returned image, from what and why (null: not converted).',
          },
        },
      },
    },
  },
  OpenAiError: {
    type: 'object',
    description: "OpenAI's error body, which its SDKs read, and Perisai's side of a refusal in a separate field.",
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        description: 'As OpenAI sends it.',
        properties: {
          message: str('A sentence a user understands: what was refused or wrong, and what to do.'),
          type: {
            enum: ['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'server_error'],
            description: "OpenAI's error type, from the status.",
          },
          code: str(
            'The Perisai error code: "moderation_blocked" for a refusal, "upstream_failed" (502), "upstream_timeout" (504), "upstream_not_configured" (503), "invalid_request", ...',
          ),
          param: { type: ['string', 'null'], description: 'The request field at fault ("prompt", "image", "response_format", a header name), or null.' },
        },
      },
      perisai: {
        type: 'object',
        description: 'For a refusal: the decision; for an upstream error: its HTTP status. Absent otherwise.',
        properties: {
          decision_id: str('The decision that refused: the request decision, or for withheld outputs the request they belong to.'),
          decision: { enum: [...OUTCOMES], description: '"block" or "review" (held for a person; a drop-in client cannot wait, so it is refused).' },
          categories: { type: 'array', items: { enum: [...CATEGORIES] }, description: 'The harm categories that fired.' },
          reasons: {
            type: 'array',
            description: 'The rules that fired.',
            items: {
              type: 'object',
              properties: {
                rule: str('The policy rule id.'),
                category: { enum: [...CATEGORIES], description: 'Its harm category.' },
                message: str('What it refuses.'),
              },
            },
          },
          outputs: { type: 'array', description: 'When every output was withheld: what screening decided on each.', items: outputSchema },
          upstream_status: { type: 'integer', description: "For upstream_failed: the upstream's HTTP status, when it answered." },
          request_decision_id: str('For an output the upstream sent that could not be screened: the request it belongs to.'),
        },
      },
    },
  },
};

const HEADERS = Object.entries((guardHeadersSchema as z.ZodObject).shape).map(([name, schema]) => {
  const { description, ...rest } = inputSchema(schema as z.ZodType);
  const display = name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
  return { name: display, in: 'header', description, schema: rest };
});

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Refused (`moderation_blocked`, with `perisai`) or invalid fields (`param` names the first).',
  401: 'Missing, unknown or revoked Perisai key.',
  403: 'The key lacks the `images` scope.',
  413: 'An image or the mask is too large.',
  415: 'An edit not sent as multipart/form-data, or an image format that is not taken.',
  422: 'An image or the mask cannot be decoded.',
  502: 'The upstream failed: an error answer, unreachable, a malformed answer, or an image linked on another host.',
  503: 'No upstream configured (PERISAI_UPSTREAM_URL), or busy; retry after Retry-After.',
  504: 'The upstream did not answer within PERISAI_UPSTREAM_TIMEOUT.',
};

function openAiErrors(...codes: number[]): Record<string, JsonSchema> {
  return Object.fromEntries(
    codes.map((code) => [String(code), { description: ERROR_DESCRIPTIONS[code], content: { 'application/json': { schema: ref('OpenAiError') } } }]),
  );
}

const answers = (...codes: number[]): Record<string, JsonSchema> => ({
  '200': { description: 'The allowed images, screened, recorded and signed.', content: { 'application/json': { schema: ref('ImagesResponse') } } },
  ...openAiErrors(...codes),
});

const GUARD = `Needs scope \`images\`. Screens the request; when allowed, forwards it to PERISAI_UPSTREAM_URL, screens and records every image it returns, signs the allowed ones and returns them in OpenAI's shape. Errors are OpenAI's body (see docs/guard.md).`;

export function imagePaths(secured: JsonSchema[]): Record<string, Record<string, JsonSchema>> {
  return {
    '/v1/images/generations': {
      post: {
        summary: "Generate images, guarded (OpenAI's Images API)",
        description: GUARD,
        security: secured,
        parameters: HEADERS,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('ImageGeneration'),
              example: { prompt: 'a lighthouse at dusk, watercolour', model: 'gpt-image-1', size: '1024x1024' },
            },
          },
        },
        responses: answers(400, 401, 403, 502, 503, 504),
      },
    },
    '/v1/images/edits': {
      post: {
        summary: "Edit images, guarded (OpenAI's Images API, multipart)",
        description: GUARD,
        security: secured,
        parameters: HEADERS,
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('ImageEdit') } } },
        responses: answers(400, 401, 403, 413, 415, 422, 502, 503, 504),
      },
    },
  };
}
