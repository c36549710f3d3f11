import { randomUUID } from 'node:crypto';

import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { isPerisaiError, PerisaiError } from '../../domain/errors.js';
import { sniffFormat } from '../../image/image-format.js';
import type { GuardedImages, GuardedRequest } from '../../services/image-guard.js';
import { outputView } from '../../services/image-guard.js';
import { GUARD_LIMITS, guardHeadersSchema, imageEditFieldsSchema, imageGenerationSchema } from '../../services/image-guard-input.js';
import { parseInput } from '../../services/parse-input.js';
import type { UpstreamFile } from '../../services/ports.js';
import { SCREEN_LIMITS } from '../../services/screen-request.js';
import { requireScope } from '../auth.js';
import { useOpenAiErrors } from './errors.js';

const MiB = 1024 * 1024;
const FORWARDED_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * OpenAI's Images API, guarded (scope `images`): a drop-in for `POST /v1/images/generations` and
 * `POST /v1/images/edits` that an existing OpenAI client reaches by changing its base URL and
 * key. Its own scope, not `screen`: these routes spend the operator's upstream credit and return
 * images, which a key handed out only to screen should not be able to do.
 */
export function imageRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    useOpenAiErrors(app);
    // Limits per part, so a hostile form is cut off while it streams: files of at most the
    // screening image size, the images and a mask, and a few small text fields.
    await app.register(fastifyMultipart, {
      limits: {
        fileSize: SCREEN_LIMITS.imageBytes,
        files: GUARD_LIMITS.images + 1,
        fields: GUARD_LIMITS.fields,
        fieldSize: GUARD_LIMITS.fieldBytes,
        parts: GUARD_LIMITS.images + 1 + GUARD_LIMITS.fields,
        headerPairs: 100,
      },
    });
    const authenticate = requireScope(ctx.apiKeys, 'images');
    const actorOf = (request: FastifyRequest) => request.apiKey?.id ?? 'unknown';

    app.post('/v1/images/generations', { onRequest: authenticate }, async (request, reply) => {
      const headers = parseInput(guardHeadersSchema, request.headers, 'headers');
      const body = parseInput(imageGenerationSchema, request.body, 'body');
      return sendJson(reply, imagesResponse(await ctx.imageGuard.run({ kind: 'generation', body, headers }, actorOf(request))));
    });

    app.post(
      '/v1/images/edits',
      {
        // Before the body is read: a JSON or other body would otherwise meet the JSON parser's message.
        onRequest: [
          authenticate,
          async (request) => {
            if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
              throw new PerisaiError(
                'unsupported_media_type',
                'Send an image edit as multipart/form-data with the files in "image" (or "image[]") and the prompt as a field, as OpenAI clients do.',
              );
            }
          },
        ],
      },
      async (request, reply) => {
        const headers = parseInput(guardHeadersSchema, request.headers, 'headers');
        const form = await readEditForm(request);
        const body = parseInput(imageEditFieldsSchema, form.fields, 'body');
        const edit: GuardedRequest = { kind: 'edit', body, headers, images: form.images, ...(form.mask ? { mask: form.mask } : {}) };
        return sendJson(reply, imagesResponse(await ctx.imageGuard.run(edit, actorOf(request))));
      },
    );
  };
}

interface EditForm {
  fields: Record<string, string>;
  images: UpstreamFile[];
  mask?: UpstreamFile;
}

/** Reads the whole form into memory within the limits above; any breach is a 4xx naming what to fix. */
async function readEditForm(request: FastifyRequest): Promise<EditForm> {
  const fields: Record<string, string> = {};
  const images: UpstreamFile[] = [];
  let mask: UpstreamFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw invalid(part.fieldname, `The field ${part.fieldname} is longer than ${GUARD_LIMITS.fieldBytes / 1024} KiB: shorten it.`);
        if (Object.hasOwn(fields, part.fieldname)) throw invalid(part.fieldname, `The field ${part.fieldname} appears twice: send it once.`);
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'image' && part.fieldname !== 'image[]' && part.fieldname !== 'mask') {
        await part.toBuffer().catch(() => undefined);
        throw invalid(
          part.fieldname,
          `The file field ${part.fieldname} is not one this route takes: send images as "image" (or "image[]") and the mask as "mask".`,
        );
      }
      const bytes = new Uint8Array(await part.toBuffer());
      if (bytes.byteLength === 0) throw invalid(part.fieldname, `The file in ${part.fieldname} is empty: attach the image file itself.`);
      const file = { bytes, filename: safeFilename(part.filename, bytes), contentType: contentTypeOf(part.mimetype, bytes) };
      if (part.fieldname !== 'mask') images.push(file);
      else if (mask) throw invalid('mask', 'The field mask appears twice: send one mask.');
      else mask = file;
    }
  } catch (error) {
    throw formError(error);
  }
  if (images.length === 0) throw invalid('image', 'An edit needs at least one image: attach it as the file field "image" (or "image[]").');
  if (images.length > GUARD_LIMITS.images) {
    throw invalid('image', `An edit takes at most ${GUARD_LIMITS.images} images (and one mask); this one has ${images.length}: send fewer.`);
  }
  return { fields, images, ...(mask ? { mask } : {}) };
}

function invalid(param: string, message: string): PerisaiError {
  return new PerisaiError('invalid_request', message, { param });
}

/** @fastify/multipart's and busboy's errors, as the house codes with messages that say what to fix. */
function formError(error: unknown): unknown {
  if (isPerisaiError(error)) return error;
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PerisaiError(
        'image_too_large',
        `An image or the mask is larger than ${SCREEN_LIMITS.imageBytes / MiB} MiB: compress or resize it before sending.`,
        { param: 'image' },
      );
    case 'FST_FILES_LIMIT':
      return invalid('image', `An edit takes at most ${GUARD_LIMITS.images} images and one mask: send fewer files.`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new PerisaiError('invalid_request', `The form has too many fields: send the prompt and at most ${GUARD_LIMITS.fields} of OpenAI's options.`);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new PerisaiError('unsupported_media_type', 'Send an image edit as multipart/form-data, as OpenAI clients do.');
    default:
      // Busboy's own errors (a malformed part header, a body that ends mid-part) carry no code.
      return new PerisaiError(
        'invalid_request',
        `The multipart body could not be read (${(error as Error).message ?? 'malformed'}): send a complete multipart/form-data body, as OpenAI clients do.`,
      );
  }
}

/** The client's type when it is one the upstream takes, otherwise what the bytes say they are. */
function contentTypeOf(mimetype: string, bytes: Uint8Array): string {
  if (FORWARDED_TYPES.has(mimetype.toLowerCase())) return mimetype.toLowerCase();
  const format = sniffFormat(bytes);
  return format ? `image/${format}` : 'application/octet-stream';
}

/** A name the upstream can print safely; it only ever uses the extension. */
function safeFilename(name: string | undefined, bytes: Uint8Array): string {
  const clean = (name ?? '').replace(/[^A-Za-z0-9._-]/g, '_').slice(-100);
  return clean.length > 0 && clean !== '.' && clean !== '..' ? clean : `image.${sniffFormat(bytes) ?? 'png'}`;
}

/** OpenAI's ImagesResponse, and apart from it what Perisai decided about each image. */
export function imagesResponse(result: GuardedImages) {
  const withheld = result.outputs.filter((output) => !output.returned).length;
  const formats = new Set(result.images.map(({ image }) => image.format));
  const converted = result.images.some(({ image }) => image.converted !== undefined);
  const outputFormat = converted && formats.size === 1 ? [...formats][0] : result.upstream.outputFormat;
  return {
    created: result.created,
    data: result.images.map(({ image, revisedPrompt }) => ({
      b64_json: Buffer.from(image.bytes).toString('base64'),
      ...(revisedPrompt !== undefined ? { revised_prompt: revisedPrompt } : {}),
    })),
    ...(outputFormat !== undefined ? { output_format: outputFormat } : {}),
    ...(result.upstream.size !== undefined ? { size: result.upstream.size } : {}),
    ...(result.upstream.quality !== undefined ? { quality: result.upstream.quality } : {}),
    ...(result.upstream.background !== undefined ? { background: result.upstream.background } : {}),
    ...(result.upstream.usage !== undefined ? { usage: result.upstream.usage } : {}),
    perisai: {
      request_decision_id: result.requestDecisionId,
      outputs: result.outputs.map(outputView),
      ...(withheld > 0
        ? {
            note: `${withheld} of ${result.outputs.length} images the model made ${withheld === 1 ? 'was' : 'were'} refused by screening and withheld; see outputs.`,
          }
        : {}),
      ...(converted ? { converted: result.images.map(({ image }) => image.converted ?? null) } : {}),
    },
  };
}

type ImagesResponseBody = ReturnType<typeof imagesResponse>;

/**
 * Serialises the answer with each image's base64 spliced in: JSON.stringify would scan every
 * character of each multi-megabyte string for escapes, and base64 has none. A random token
 * marks each place, so nothing the upstream wrote (a revised prompt) can collide with it.
 */
function sendJson(reply: FastifyReply, body: ImagesResponseBody): FastifyReply {
  const token = randomUUID();
  const marked = JSON.stringify({ ...body, data: body.data.map((item, i) => ({ ...item, b64_json: `${token}:${i}` })) });
  // Pieces of one Buffer: base64 is ASCII, so latin1 copies it byte for byte without a UTF-8 scan.
  const pieces: Buffer[] = [];
  let rest = marked;
  body.data.forEach((item, i) => {
    const at = rest.indexOf(`"${token}:${i}"`);
    pieces.push(Buffer.from(rest.slice(0, at + 1), 'utf8'), Buffer.from(item.b64_json, 'latin1'));
    rest = rest.slice(at + `"${token}:${i}"`.length - 1);
  });
  pieces.push(Buffer.from(rest, 'utf8'));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(pieces));
}
