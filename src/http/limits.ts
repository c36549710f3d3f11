import { SCREEN_LIMITS } from '../services/screen-request.js';

const MiB = 1024 * 1024;
const base64Size = (bytes: number): number => Math.ceil((bytes * 4) / 3);

/**
 * Body limits per kind of route. A route that takes no image has no reason to read more than a
 * small JSON document; each plugin sets its own so a large allowance on one route does not open
 * every other route to large bodies.
 */
export const BODY_LIMITS = {
  /** JSON routes without images: settings, hash lists as JSON, look-ups. */
  json: 1 * MiB,
  /** `POST /v1/screen`: the maximum number of reference images at the maximum size, base64, plus the prompt. */
  screenRequest: SCREEN_LIMITS.images * base64Size(SCREEN_LIMITS.imageBytes) + 64 * 1024,
  /** `POST /v1/screen/output`: one image. */
  screenOutput: base64Size(SCREEN_LIMITS.imageBytes) + 64 * 1024,
  /** `POST /v1/reports`: one reported image, base64, plus the notice. */
  report: base64Size(SCREEN_LIMITS.imageBytes) + 64 * 1024,
  /** Hash-list imports (pdq lines, CSV, JSONL): about 500,000 hashes per request. */
  hashImport: 64 * MiB,
} as const;

/** "1 MiB", "107 MiB": the limit as a person reads it in an error message. */
export function formatLimit(bytes: number): string {
  return bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
