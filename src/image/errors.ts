/**
 * Typed image errors with stable machine codes. The HTTP edge maps them to 4xx
 * (`image_timeout` to 503/422 per its own policy); messages say what to change.
 */
import type { ErrorCode } from '../domain/errors.js';

/** The image codes are part of the one closed list of error codes. */
export type ImageErrorCode = Extract<ErrorCode, `image_${string}`>;

export class ImageError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
  }
}

export function isImageError(e: unknown): e is ImageError {
  return e instanceof ImageError;
}

/** "20 MiB", "512 KiB", "17 bytes": sizes in messages people read. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${trim(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${trim(n / 1024)} KiB`;
  return `${n} bytes`;
}

/** "50 MP", "2.5 GP", "12 MP". */
export function formatPixels(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)} GP`;
  if (n >= 1e6) return `${trim(n / 1e6)} MP`;
  if (n >= 1e3) return `${trim(n / 1e3)} kP`;
  return `${n} pixels`;
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Number(x.toFixed(1)));
}
