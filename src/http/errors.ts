import type { FastifyError } from 'fastify';
import { isPerisaiError } from '../domain/errors.js';

export interface HttpErrorResponse {
  status: number;
  body: { error: string; message: string; details?: Record<string, unknown> };
  headers?: Record<string, string>;
}

/** The one place where error codes become HTTP statuses. */
const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  image_too_large: 413,
  image_empty: 422,
  image_unsupported_format: 415,
  image_truncated: 422,
  image_corrupt: 422,
  image_too_many_pixels: 422,
  image_timeout: 422,
  detector_busy: 503,
  store_unavailable: 503,
};

export function toHttpError(error: unknown): HttpErrorResponse {
  if (isPerisaiError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? (error.code.startsWith('invalid_') ? 400 : 500);
    const retry = error.details?.retryAfterSeconds;
    return {
      status,
      body: { error: error.code, message: error.message, ...(error.details && status < 500 ? { details: error.details } : {}) },
      ...(typeof retry === 'number' ? { headers: { 'retry-after': String(retry) } } : {}),
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: fastifyErrorBody(fastifyError) };
  }
  return { status: 500, body: { error: 'internal', message: 'Something went wrong on our side; the error was logged. Try again, and report it if it persists.' } };
}

function fastifyErrorBody(error: Partial<FastifyError>): HttpErrorResponse['body'] {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: 'payload_too_large', message: 'The request body is too large: send at most 4 images of 20 MiB each, base64-encoded.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: 'unsupported_media_type', message: 'Send the body as JSON with the header Content-Type: application/json.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { error: 'invalid_request', message: 'The body is empty: send a JSON object.' };
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return { error: 'invalid_json', message: `The body is not valid JSON (${error.message}): check quotes, commas and brackets.` };
      }
      return { error: 'invalid_request', message: error.message ?? 'The request is invalid.' };
  }
}
