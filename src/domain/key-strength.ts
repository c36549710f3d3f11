/**
 * Whether a secret an operator chose (PERISAI_ADMIN_KEY) is strong enough to guard the admin
 * scope. Generated keys are 256 random bits; a chosen one must come close: at least 32
 * characters, and an entropy estimate (the Shannon entropy of its own characters times its
 * length) of at least 128 bits, which a random base64 or hex secret of that length passes and
 * "password1234…", a repeated character or a keyboard run does not. An estimate from the string
 * alone cannot prove randomness; it refuses the secrets people type.
 */
export const MIN_KEY_LENGTH = 32;
export const MIN_KEY_BITS = 128;

export const STRONG_KEY_ADVICE = 'make one with `openssl rand -base64 32` (or let the server create one)';

export function estimatedBits(secret: string): number {
  const counts = new Map<string, number>();
  const chars = [...secret];
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length);
  return perChar * chars.length;
}

/** The share of neighbouring characters that step by ±1 (abcd…, 1234…, dcba…). */
function runShare(secret: string): number {
  let steps = 0;
  for (let i = 1; i < secret.length; i++) if (Math.abs(secret.charCodeAt(i) - secret.charCodeAt(i - 1)) === 1) steps++;
  return secret.length > 1 ? steps / (secret.length - 1) : 0;
}

/** A sentence saying what is wrong with `secret`, or undefined when it is strong enough. */
export function keyWeakness(secret: string): string | undefined {
  if (secret.length < MIN_KEY_LENGTH) return `is ${secret.length} characters long; it must be at least ${MIN_KEY_LENGTH}: ${STRONG_KEY_ADVICE}`;
  if (runShare(secret) > 0.5) return `is mostly a run of consecutive characters: ${STRONG_KEY_ADVICE}`;
  const bits = estimatedBits(secret);
  if (bits < MIN_KEY_BITS) return `looks guessable (about ${Math.floor(bits)} bits of entropy; at least ${MIN_KEY_BITS} are needed): ${STRONG_KEY_ADVICE}`;
  return undefined;
}
