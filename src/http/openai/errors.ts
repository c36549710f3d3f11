import type { FastifyInstance } from 'fastify';

import { isPerisaiError } from '../../domain/errors.js';
import { type ErrorContext, toHttpError } from '../errors.js';

/**
 * OpenAI's error body, which its SDKs parse into `APIError` (`error.message`, `.type`, `.code`,
 * `.param`). `perisai` is ours and kept apart, so a drop-in client that knows nothing of
 * Perisai still reads a normal error while one that does can find the decision.
 */
export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string };
  perisai?: Record<string, unknown>;
}

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

export interface OpenAiErrorResponse {
  status: number;
  body: OpenAiErrorBody;
  headers?: Record<string, string>;
}

/**
 * The house error mapping (status, code, message) in OpenAI's shape. A PerisaiError may name the
 * offending field in `details.param` and carry Perisai's side of the story in `details.perisai`;
 * a validation error names its first field from the issue path (`body.prompt` → `prompt`).
 */
export function toOpenAiError(error: unknown, context: ErrorContext = {}): OpenAiErrorResponse {
  const house = toHttpError(error, context);
  const details = isPerisaiError(error) ? error.details : undefined;
  const perisai = details?.['perisai'];
  return {
    status: house.status,
    body: {
      error: { message: house.body.message, type: typeOf(house.status), param: paramOf(details), code: house.body.error },
      ...(perisai && typeof perisai === 'object' ? { perisai: perisai as Record<string, unknown> } : {}),
    },
    ...(house.headers ? { headers: house.headers } : {}),
  };
}

/** Sets OpenAI's error shape on one encapsulated plugin (the other routes keep the house shape). */
export function useOpenAiErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const response = toOpenAiError(error, { bodyLimit: request.routeOptions.bodyLimit });
    if (response.status >= 500) request.log.error({ err: error }, 'request failed');
    if (response.headers) void reply.headers(response.headers);
    return reply.code(response.status).send(response.body);
  });
}

function typeOf(status: number): OpenAiErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function paramOf(details: Record<string, unknown> | undefined): string | null {
  if (typeof details?.['param'] === 'string') return details['param'];
  const issues = details?.['issues'];
  if (!Array.isArray(issues) || issues.length === 0) return null;
  const path = (issues[0] as { path?: unknown }).path;
  if (typeof path !== 'string') return null;
  // `body.image[0]` → `image`, `body.input[2].image_url.url` → `input`: the request field a client set.
  const field = path.replace(/^(body|query|headers)\./, '').split(/[.[]/)[0];
  return field === undefined || field === '' ? null : field;
}
