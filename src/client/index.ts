/**
 * A small typed client for a platform's image handler: screen the request, screen each output,
 * report content. `import { PerisaiClient } from 'perisai/client'`. It speaks HTTP with the
 * runtime's `fetch` and imports nothing of the server at run time: the types below are derived
 * from the server's own schemas and views, so the client cannot drift from what the API takes.
 */
import type { z } from 'zod';

import type { decisionView } from '../services/decision-view.js';
import type { reportBodySchema, ReportReceipt } from '../services/reports.js';
import type { screenRequestSchema } from '../services/screen-request.js';

/** An image as its file bytes, or as base64 (plain or a data: URL) if you already have that. */
export type ImageInput = Uint8Array | string;

type ScreenRequestBody = z.input<typeof screenRequestSchema>;
export type ScreenRequest = Omit<ScreenRequestBody, 'images'> & {
  images?: Array<{ data: ImageInput; owner?: string }>;
};

/** A recorded decision, as `POST /v1/screen` and `POST /v1/screen/output` answer. */
export type Decision = ReturnType<typeof decisionView>;

export interface ScreenOutputRequest {
  /** The id of the request decision that produced the image. */
  requestId: string;
  image: ImageInput;
}

type ReportBody = z.input<typeof reportBodySchema>;
export type Report = Omit<ReportBody, 'content'> & {
  content: Omit<ReportBody['content'], 'image'> & { image?: ImageInput };
};
export type { ReportReceipt };

export interface PerisaiClientOptions {
  /** Where Perisai runs, e.g. "http://127.0.0.1:8787". */
  baseUrl: string;
  /** A key with scope `screen` (and `reports` to report as the platform); reports work without one. */
  apiKey?: string;
  /** Per request, including an image upload; default 30 s. */
  timeoutMs?: number;
  /** Retries after 503 (busy, Retry-After honoured up to 10 s) or a failed connection; default 2. */
  maxRetries?: number;
  /** For tests and other runtimes; default the global fetch. */
  fetch?: typeof fetch;
  /** Waits between retries; injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * An error answer from Perisai: the stable `code` to branch on (`invalid_request`,
 * `image_truncated`, `detector_busy`, …) and the server's sentence saying what to do.
 */
export class PerisaiApiError extends Error {
  override readonly name = 'PerisaiApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const MAX_RETRY_WAIT_MS = 10_000;

export class PerisaiClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PerisaiClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl must be an http:// or https:// URL, not ${options.baseUrl}`);
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Screens a request before generation. Go ahead only when `decision.decision === 'allow'`. */
  screen(request: ScreenRequest): Promise<Decision> {
    const { images, ...rest } = request;
    const body = { ...rest, ...(images ? { images: images.map((image) => ({ ...image, data: base64(image.data) })) } : {}) };
    return this.post<Decision>('/v1/screen', body);
  }

  /** Screens a generated image before anyone sees it, and records it in the generation ledger. */
  screenOutput(request: ScreenOutputRequest): Promise<Decision> {
    return this.post<Decision>('/v1/screen/output', { request_id: request.requestId, image: { data: base64(request.image) } });
  }

  /** Files a report (notice and takedown); the receipt names the case and its legal deadline. */
  report(report: Report): Promise<ReportReceipt> {
    const { image, ...content } = report.content;
    return this.post<ReportReceipt>('/v1/reports', { ...report, content: { ...content, ...(image === undefined ? {} : { image: base64(image) }) } });
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body);
    const retries = this.options.maxRetries ?? 2;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetch(`${this.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        // No answer at all: nothing was recorded that we know of, so trying again is safe.
        if (attempt < retries) {
          await this.sleep(backoff(attempt));
          continue;
        }
        const reason = (error as Error).name === 'TimeoutError' ? 'did not answer in time' : `could not be reached (${(error as Error).message})`;
        throw new PerisaiApiError(0, 'unreachable', `Perisai at ${this.baseUrl} ${reason}: check that it runs and the URL; treat the request as not screened.`);
      }
      if (response.ok) return (await response.json()) as T;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 503 && attempt < retries) {
        await this.sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, MAX_RETRY_WAIT_MS) : backoff(attempt));
        continue;
      }
      throw await apiError(response);
    }
  }
}

/** True only for an explicit allow: review and block both mean "do not generate / do not show". */
export function isAllowed(decision: Pick<Decision, 'decision'>): boolean {
  return decision.decision === 'allow';
}

function base64(image: ImageInput): string {
  return typeof image === 'string' ? image : Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64');
}

function backoff(attempt: number): number {
  return 200 * 2 ** attempt;
}

async function apiError(response: Response): Promise<PerisaiApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; details?: Record<string, unknown> };
    if (typeof body.error === 'string' && typeof body.message === 'string') return new PerisaiApiError(response.status, body.error, body.message, body.details);
  } catch {
    // Not Perisai's JSON (a proxy's error page, say): reported below with its status.
  }
  return new PerisaiApiError(
    response.status,
    'unexpected_response',
    `Perisai answered ${response.status} with a body that is not its error format: ${text.slice(0, 200)}`,
  );
}
