import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import sharp from 'sharp';

import { mulberry32 } from '../../src/text/model/random.js';

/** How the loopback upstream answers the next requests. */
export type UpstreamMode =
  | 'b64'
  /** `data[].url` on its own host, served from `/files/…`. */
  | 'url-own'
  /** `data[].url` on another origin (a host Perisai must not fetch from). */
  | 'url-other'
  /** 500 with an OpenAI error body that quotes a key. */
  | 'error'
  /** Waits `delayMs` before answering. */
  | 'slow';

export interface ReceivedRequest {
  path: string;
  authorization: string | undefined;
  /** JSON body, or the text fields of a multipart form. */
  fields: Record<string, unknown>;
  /** Multipart files by field name (in order), as bytes. */
  files: Array<{ field: string; bytes: Buffer; type: string; name: string }>;
}

export interface UpstreamImageServer {
  /** The base URL to give Perisai (`PERISAI_UPSTREAM_URL`), ending in /v1. */
  url: string;
  mode: UpstreamMode;
  delayMs: number;
  received: ReceivedRequest[];
  /** The image this upstream makes for a prompt and index: deterministic, generated with sharp, PNG unless `output_format` says `jpeg`. */
  imageFor(prompt: string, index: number, format?: 'png' | 'jpeg'): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A small OpenAI-compatible image service on loopback, standing in for the model that lives
 * outside the machine: `POST /v1/images/generations` and `/v1/images/edits` answer with
 * synthetic images (seeded noise over a gradient, seeded by the prompt), never a photo.
 */
export async function startUpstreamImages(options: { size?: number } = {}): Promise<UpstreamImageServer> {
  const size = options.size ?? 64;
  const files = new Map<string, Buffer>();
  const cache = new Map<string, Promise<Buffer>>();
  const imageFor = (prompt: string, index: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> => {
    const key = `${format}:${index}:${prompt}`;
    let made = cache.get(key);
    if (!made) {
      made = makeImage(createHash('sha256').update(`${index}:${prompt}`).digest().readUInt32BE(0), size, format);
      cache.set(key, made);
    }
    return made;
  };
  const state: UpstreamImageServer = {
    url: '',
    mode: 'b64',
    delayMs: 0,
    received: [],
    imageFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (request.method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(path.slice('/files/'.length));
      response.writeHead(file ? 200 : 404, { 'content-type': 'image/png' }).end(file);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const received: ReceivedRequest = { path, authorization: request.headers.authorization, fields: {}, files: [] };
    if ((request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const form = await new Request('http://upstream.invalid/', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type']! },
        body,
      }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') received.fields[field] = value;
        else received.files.push({ field, bytes: Buffer.from(await value.arrayBuffer()), type: value.type, name: value.name });
      }
    } else {
      received.fields = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    }
    state.received.push(received);
    if (state.mode === 'slow') {
      // The delay ends early when the client gives up, so no timer outlives the test.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, state.delayMs);
        response.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (response.destroyed) return;
    }
    if (state.mode === 'error') {
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'Incorrect API key provided: sk-upstream-secret-123456.', type: 'server_error', code: null } }));
      return;
    }
    const prompt = String(received.fields.prompt ?? '');
    const n = Number(received.fields.n ?? 1);
    const format = received.fields.output_format === 'jpeg' ? 'jpeg' : 'png';
    const images = await Promise.all(Array.from({ length: n }, (_, i) => imageFor(prompt, i, format)));
    const { port } = server.address() as AddressInfo;
    const data = images.map((image, i) => {
      if (state.mode === 'b64') return { b64_json: image.toString('base64'), revised_prompt: `${prompt} (revised)` };
      const name = `${createHash('sha256').update(image).digest('hex').slice(0, 16)}-${i}.png`;
      files.set(name, image);
      return { url: state.mode === 'url-own' ? `http://127.0.0.1:${port}/files/${name}` : `http://localhost:${port}/files/${name}` };
    });
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        created: 1_765_000_000,
        data,
        output_format: format,
        size: `${size}x${size}`,
        quality: 'low',
        background: 'opaque',
        usage: { total_tokens: 100, input_tokens: 50, output_tokens: 50, input_tokens_details: { text_tokens: 50, image_tokens: 0 } },
      }),
    );
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/**
 * A gradient with seeded discs and light seeded noise: distinct per seed, about as large as a
 * model's PNG, and nothing a detector could mistake for a person (heavy noise reads as nudity
 * to the nudity model, so the noise is kept faint).
 */
async function makeImage(seed: number, side: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const random = mulberry32(seed);
  const tint = [random() * 255, random() * 255, random() * 255];
  const discs = Array.from({ length: 3 }, () => ({
    x: random() * side,
    y: random() * side,
    r: (0.1 + random() * 0.2) * side,
    c: [random() * 255, random() * 255, random() * 255],
  }));
  const pixels = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y += 1) {
    for (let x = 0; x < side; x += 1) {
      const i = (y * side + x) * 3;
      const disc = discs.find((d) => (x - d.x) ** 2 + (y - d.y) ** 2 < d.r ** 2);
      for (let c = 0; c < 3; c += 1) {
        const base = disc ? disc.c[c]! : ((x + y) / (2 * side)) * tint[c]!;
        pixels[i + c] = Math.min(255, Math.round(base + random() * 12));
      }
    }
  }
  const image = sharp(pixels, { raw: { width: side, height: side, channels: 3 } });
  return (format === 'jpeg' ? image.jpeg({ quality: 85 }) : image.png()).toBuffer();
}
