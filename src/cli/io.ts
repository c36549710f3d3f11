import { type ErrorCode, isPerisaiError } from '../domain/errors.js';

/** Exit codes of the `perisai` command, documented in its --help. */
export const EXIT = { ok: 0, failure: 1, usage: 2, blocked: 3, review: 4 } as const;
type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Which exit code each error gives: `usage` when the command line or a file named on it must
 * change, `failure` otherwise. Exhaustive, checked by the compiler.
 */
const EXIT_BY_CODE: Record<ErrorCode, ExitCode> = {
  invalid_request: EXIT.usage,
  invalid_arguments: EXIT.usage,
  invalid_json: EXIT.usage,
  invalid_hashes: EXIT.usage,
  invalid_pdq: EXIT.usage,
  invalid_scopes: EXIT.usage,
  invalid_config: EXIT.usage,
  invalid_eval_file: EXIT.usage,
  weak_key: EXIT.usage,
  unsupported_media_type: EXIT.usage,
  payload_too_large: EXIT.usage,
  image_empty: EXIT.failure,
  image_too_large: EXIT.failure,
  image_too_many_pixels: EXIT.failure,
  image_unsupported_format: EXIT.failure,
  image_truncated: EXIT.failure,
  image_corrupt: EXIT.failure,
  image_timeout: EXIT.failure,
  unauthorized: EXIT.failure,
  forbidden: EXIT.failure,
  rate_limited: EXIT.failure,
  not_found: EXIT.failure,
  conflict: EXIT.failure,
  protected_hash_limit: EXIT.failure,
  moderation_blocked: EXIT.blocked,
  policy_unreadable: EXIT.usage,
  policy_invalid: EXIT.usage,
  clocks_unreadable: EXIT.usage,
  clocks_invalid: EXIT.usage,
  text_model_unreadable: EXIT.failure,
  text_model_invalid: EXIT.failure,
  detector_busy: EXIT.failure,
  store_unavailable: EXIT.failure,
  store_invalid_schema: EXIT.failure,
  upstream_not_configured: EXIT.usage,
  upstream_failed: EXIT.failure,
  upstream_timeout: EXIT.failure,
  provenance_failed: EXIT.failure,
  statement_invalid: EXIT.failure,
  internal: EXIT.failure,
};

export function exitCodeOf(code: ErrorCode): ExitCode {
  return EXIT_BY_CODE[code];
}

export function printError(error: unknown): number {
  if (isPerisaiError(error)) {
    process.stderr.write(`perisai: ${error.message}\n`);
    return EXIT_BY_CODE[error.code];
  }
  process.stderr.write(`perisai: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return EXIT.failure;
}

/** Writes a line to stdout, waiting when the pipe is full so a large output keeps memory bounded. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
