/**
 * Every error code a caller can see, in one closed list. Clients branch on the code, so it is
 * stable; adding one here makes the compiler demand its HTTP status and CLI exit code (the maps
 * in `http/errors.ts` and `cli/io.ts` are `Record<ErrorCode, …>`), so nothing falls back to a
 * guess by prefix.
 */
export const ERROR_CODES = [
  // The caller sent something we cannot use: fix the input.
  'invalid_request',
  'invalid_arguments',
  'invalid_json',
  'invalid_hashes',
  'invalid_pdq',
  'invalid_scopes',
  'invalid_config',
  'invalid_eval_file',
  'weak_key',
  'unsupported_media_type',
  'payload_too_large',
  // Images refused before or while decoding (see `image/errors.ts`).
  'image_empty',
  'image_too_large',
  'image_too_many_pixels',
  'image_unsupported_format',
  'image_truncated',
  'image_corrupt',
  'image_timeout',
  // Who may do what, and how often.
  'unauthorized',
  'forbidden',
  'rate_limited',
  // The state of what was asked about.
  'not_found',
  'conflict',
  'protected_hash_limit',
  // A request the policy refused (the guarded image API and moderation answer it in OpenAI's shape).
  'moderation_blocked',
  // Files the operator ships: policy and text model.
  'policy_unreadable',
  'policy_invalid',
  'clocks_unreadable',
  'clocks_invalid',
  'text_model_unreadable',
  'text_model_invalid',
  // Our side: retry later or call the operator.
  'detector_busy',
  'store_unavailable',
  'store_invalid_schema',
  // The upstream image model behind the guard: not configured, failing, or too slow.
  'upstream_not_configured',
  'upstream_failed',
  'upstream_timeout',
  // A provenance manifest could not be made or read.
  'provenance_failed',
  // A statement of reasons Perisai built does not fit the EU Transparency Database schema: our bug.
  'statement_invalid',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN = new Set<string>(ERROR_CODES);

export function isErrorCode(value: string): value is ErrorCode {
  return KNOWN.has(value);
}

/**
 * One error type for everything a caller can fix or should know about. The message is a
 * sentence that says what to do, and names commands or fields, never HTTP routes: the same
 * service answers the CLI and the API. Domain code never knows HTTP: the edge maps codes.
 */
export class PerisaiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PerisaiError';
    this.code = code;
    this.details = details;
  }
}

export function isPerisaiError(error: unknown): error is PerisaiError {
  return error instanceof PerisaiError;
}
