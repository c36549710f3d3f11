import { z } from 'zod';

import { isPerisaiError, PerisaiError } from '../domain/errors.js';
import type { ImageUpstream, UpstreamImageRequest, UpstreamImages } from '../services/ports.js';
import { SCREEN_LIMITS } from '../services/screen-request.js';

export interface OpenAiImagesUpstreamOptions {
  /** The base URL an OpenAI client would be given, e.g. `https://api.openai.com/v1`. */
  url: string;
  key?: string | undefined;
  /** The whole exchange: request, answer and any image it links to. */
  timeoutMs: number;
  /** Images one answer may carry; the answer's size is bounded by it. */
  maxImages: number;
}

/** Upstream error text is passed on only when it is short, printable, and cannot carry the key. */
const MAX_UPSTREAM_MESSAGE = 300;
const base64Size = (bytes: number): number => Math.ceil((bytes * 4) / 3);

const upstreamAnswerSchema = z.object({
  created: z.number().int().nonnegative(),
  data: z
    .array(
      z.object({
        b64_json: z.string().min(1).optional(),
        url: z.string().min(1).optional(),
        revised_prompt: z.string().optional(),
      }),
    )
    .min(1),
  output_format: z.string().optional(),
  size: z.string().optional(),
  quality: z.string().optional(),
  background: z.string().optional(),
  usage: z.record(z.string(), z.unknown()).optional(),
});

const upstreamErrorSchema = z.object({ error: z.object({ message: z.string() }) });

/**
 * OpenAI's Images API over Node's fetch: `POST {url}/images/generations` (JSON) and
 * `POST {url}/images/edits` (multipart). One deadline covers the whole exchange, so a slow
 * answer, a trickled body or a slow linked image all end in `upstream_timeout`. Bodies are read
 * with a byte cap, so a hostile upstream cannot exhaust memory; an image given as a URL is
 * fetched only from the upstream's own origin, without following redirects, because a link to
 * anywhere else would make Perisai fetch whatever the upstream points it at.
 */
export class OpenAiImagesUpstream implements ImageUpstream {
  readonly origin: string;
  private readonly base: string;

  constructor(private readonly options: OpenAiImagesUpstreamOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.base = url.href.replace(/\/+$/, '');
  }

  generate(request: UpstreamImageRequest): Promise<UpstreamImages> {
    return this.exchange('images/generations', (signal) =>
      fetch(`${this.base}/images/generations`, {
        method: 'POST',
        headers: { ...this.auth(), 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ prompt: request.prompt, ...request.fields }),
        signal,
        redirect: 'error',
      }),
    );
  }

  edit(request: UpstreamImageRequest): Promise<UpstreamImages> {
    const form = new FormData();
    form.set('prompt', request.prompt);
    for (const [name, value] of Object.entries(request.fields)) form.set(name, String(value));
    const images = request.images ?? [];
    // OpenAI takes one image as `image` and several as `image[]`, as its own SDK sends them.
    const field = images.length > 1 ? 'image[]' : 'image';
    for (const file of images) form.append(field, new Blob([file.bytes], { type: file.contentType }), file.filename);
    if (request.mask) form.set('mask', new Blob([request.mask.bytes], { type: request.mask.contentType }), request.mask.filename);
    return this.exchange('images/edits', (signal) =>
      fetch(`${this.base}/images/edits`, { method: 'POST', headers: { ...this.auth(), accept: 'application/json' }, body: form, signal, redirect: 'error' }),
    );
  }

  private auth(): Record<string, string> {
    return this.options.key ? { authorization: `Bearer ${this.options.key}` } : {};
  }

  private async exchange(operation: string, send: (signal: AbortSignal) => Promise<Response>): Promise<UpstreamImages> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await send(signal);
      const limit = this.options.maxImages * base64Size(SCREEN_LIMITS.imageBytes) + 1024 * 1024;
      const body = await readBounded(response, limit, 'answer');
      if (!response.ok) throw this.errorAnswer(operation, response.status, body);
      const parsed = upstreamAnswerSchema.safeParse(parseJson(body));
      if (!parsed.success) {
        throw this.failed(`answered ${operation} with something that is not an OpenAI images response (it needs "created" and a non-empty "data")`);
      }
      const answer = parsed.data;
      if (answer.data.length > this.options.maxImages) {
        throw this.failed(`answered ${operation} with ${answer.data.length} images, more than the ${this.options.maxImages} asked for at most`);
      }
      const images: UpstreamImages['images'] = [];
      for (const item of answer.data) {
        const bytes = item.b64_json !== undefined ? decodeBase64(item.b64_json) : item.url !== undefined ? await this.fetchLinked(item.url, signal) : undefined;
        if (bytes === undefined) throw this.failed(`answered ${operation} with an image that has neither "b64_json" nor "url"`);
        images.push({ bytes, ...(item.revised_prompt !== undefined ? { revisedPrompt: item.revised_prompt } : {}) });
      }
      return {
        created: answer.created,
        images,
        ...(answer.output_format !== undefined ? { outputFormat: answer.output_format } : {}),
        ...(answer.size !== undefined ? { size: answer.size } : {}),
        ...(answer.quality !== undefined ? { quality: answer.quality } : {}),
        ...(answer.background !== undefined ? { background: answer.background } : {}),
        ...(answer.usage !== undefined ? { usage: answer.usage } : {}),
      };
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** An image the upstream linked to instead of inlining: its own origin only, bounded, same deadline. */
  private async fetchLinked(link: string, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw this.failed('linked an image with a URL that cannot be parsed');
    }
    if (url.origin !== this.origin) {
      throw this.failed(`linked an image on ${url.origin}, which is not its own origin (${this.origin}); Perisai fetches images only from the upstream itself`);
    }
    const response = await fetch(url, { headers: this.auth(), signal, redirect: 'error' });
    if (!response.ok) throw this.failed(`answered ${response.status} when Perisai fetched the image it linked to`);
    return readBounded(response, SCREEN_LIMITS.imageBytes, 'linked image');
  }

  private errorAnswer(operation: string, status: number, body: Uint8Array): PerisaiError {
    const parsed = upstreamErrorSchema.safeParse(parseJson(body));
    const said = parsed.success ? safeMessage(parsed.data.error.message, this.options.key) : undefined;
    return new PerisaiError(
      'upstream_failed',
      `The upstream image service (${this.origin}) refused ${operation} with HTTP ${status}${said ? `: "${said}"` : ''}. Check the request's fields against what that model accepts, or try again later.`,
      { perisai: { upstream_status: status } },
    );
  }

  private failed(what: string): PerisaiError {
    return new PerisaiError('upstream_failed', `The upstream image service (${this.origin}) ${what}; nothing was returned. Try again, or tell the operator.`);
  }

  private classify(error: unknown): PerisaiError {
    if (isPerisaiError(error)) return error;
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new PerisaiError(
        'upstream_timeout',
        `The upstream image service (${this.origin}) did not answer within ${this.options.timeoutMs / 1000} s; nothing was returned. Try again, or ask the operator to raise PERISAI_UPSTREAM_TIMEOUT.`,
      );
    }
    // Node's fetch reports a refused or reset connection as TypeError("fetch failed") with the system error as cause.
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    return new PerisaiError(
      'upstream_failed',
      `The upstream image service (${this.origin}) could not be reached${code}; nothing was returned. Try again later, or tell the operator.`,
      undefined,
      { cause: error },
    );
  }
}

/** Reads a body to its end, or fails once it passes `limit` bytes (declared or actual). */
async function readBounded(response: Response, limit: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new PerisaiError('upstream_failed', `The upstream image service sent a ${what} larger than ${Math.round(limit / 1024 / 1024)} MiB; nothing was returned.`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const data = text.startsWith('data:') ? text.replace(/^data:image\/[a-z0-9.+-]+;base64,/i, '') : text;
  // Node's decoder skips characters outside the alphabet, so a decoded length short of what the
  // text's length implies is how a bad character shows; this costs nothing, where a regular
  // expression over a 4 MB answer costs more than the rest of the guard together.
  const decoded = decodeExact(data) ?? decodeExact(data.replace(/\s+/g, ''));
  if (!decoded)
    throw new PerisaiError('upstream_failed', 'The upstream image service sent an image whose "b64_json" is not valid base64; nothing was returned.');
  return decoded;
}

function decodeExact(data: string): Uint8Array<ArrayBuffer> | undefined {
  if (data.length === 0 || data.length % 4 !== 0) return undefined;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(data, 'base64');
  if (bytes.byteLength !== (data.length / 4) * 3 - padding) return undefined;
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The upstream's own words, when they are a short printable sentence that cannot leak its key. */
function safeMessage(message: string, key: string | undefined): string | undefined {
  const text = [...message]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (text.length === 0 || text.length > MAX_UPSTREAM_MESSAGE) return undefined;
  // Keys look like this in OpenAI's own "Incorrect API key provided: sk-...": never repeat one.
  if ((key && text.includes(key)) || /\b(sk|psk)[-_][A-Za-z0-9_*-]{6,}/.test(text)) return undefined;
  return text;
}
