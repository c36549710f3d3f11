import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The time
 * is inside what is signed, so a receiver that checks it against its own clock rejects a
 * captured request replayed later; the raw body is signed as sent, so a receiver verifies the
 * bytes it received before parsing them.
 */
export function signWebhook(secret: string, rawBody: string, t: number): string {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`signWebhook: ${t} is not a unix time in seconds`);
  return `t=${t},v1=${digest(secret, rawBody, t)}`;
}

/**
 * True when `header` signs `rawBody` with `secret` and its time is within `toleranceSeconds` of
 * `nowSeconds` (either side: clocks drift). Compares in constant time; never throws on a
 * malformed header.
 */
export function verifyWebhook(secret: string, rawBody: string, header: string | undefined, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (typeof header !== 'string') return false;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(digest(secret, rawBody, t), 'hex');
  // Every candidate is compared (a receiver may see two during secret rotation); no early exit on a match.
  let ok = false;
  for (const signature of signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) ok = true;
  }
  return ok;
}

function digest(secret: string, rawBody: string, t: number): string {
  return createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
}
