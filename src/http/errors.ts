import type { FastifyError } from 'fastify';

import { type ErrorCode, isPerisaiError } from '../domain/errors.js';
import { formatLimit } from './limits.js';

export interface HttpErrorResponse {
  status: number;
  body: { error: string; message: string; details?: Record<string, unknown> };
  headers?: Record<string, string>;
}

/** The one place where error codes become HTTP statuses: exhaustive, checked by the compiler. */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_arguments: 400,
  invalid_json: 400,
  invalid_hashes: 400,
  invalid_pdq: 400,
  invalid_scopes: 400,
  invalid_config: 400,
  invalid_eval_file: 400,
  weak_key: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  image_empty: 422,
  image_too_large: 413,
  image_too_many_pixels: 413,
  image_unsupported_format: 415,
  image_truncated: 422,
  image_corrupt: 422,
  image_timeout: 422,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  not_found: 404,
  conflict: 409,
  // The request is valid; the account's stored hashes are what stands in the way (delete some): a conflict with state.
  protected_hash_limit: 409,
  // OpenAI answers a refused prompt or image with 400; drop-in clients expect the same.
  moderation_blocked: 400,
  // The operator's files are broken: nothing the client can change.
  policy_unreadable: 500,
  policy_invalid: 500,
  clocks_unreadable: 500,
  clocks_invalid: 500,
  text_model_unreadable: 500,
  text_model_invalid: 500,
  detector_busy: 503,
  store_unavailable: 503,
  store_invalid_schema: 503,
  upstream_not_configured: 503,
  upstream_failed: 502,
  upstream_timeout: 504,
  provenance_failed: 500,
  statement_invalid: 500,
  internal: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

export interface ErrorContext {
  /** The body limit of the route that failed, for the message of a 413. */
  bodyLimit?: number;
}

export function toHttpError(error: unknown, context: ErrorContext = {}): HttpErrorResponse {
  if (isPerisaiError(error)) {
    const status = STATUS_BY_CODE[error.code];
    const retry = error.details?.retryAfterSeconds;
    return {
      status,
      body: { error: error.code, message: error.message, ...(error.details && status < 500 ? { details: error.details } : {}) },
      ...(typeof retry === 'number' ? { headers: { 'retry-after': String(retry) } } : {}),
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: fastifyErrorBody(fastifyError, context) };
  }
  return {
    status: 500,
    body: { error: 'internal', message: 'Something went wrong on our side; the error was logged. Try again, and report it if it persists.' },
  };
}

function fastifyErrorBody(error: Partial<FastifyError>, context: ErrorContext): HttpErrorResponse['body'] {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        error: 'payload_too_large',
        message:
          context.bodyLimit === undefined
            ? 'The request body is too large for this route: send a smaller body.'
            : `The request body is larger than this route accepts (${formatLimit(context.bodyLimit)}): send a smaller body.`,
      };
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
