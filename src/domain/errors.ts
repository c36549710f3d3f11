/**
 * One error type for everything a caller can fix or should know about. The `code` is stable
 * (clients branch on it); the message is a sentence that says what to do. Domain code never
 * knows HTTP: the edge maps codes to statuses in one place.
 */
export class PerisaiError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PerisaiError';
    this.code = code;
    this.details = details;
  }
}

export function isPerisaiError(error: unknown): error is PerisaiError {
  return error instanceof PerisaiError;
}
