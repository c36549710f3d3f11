/**
 * PDQ hash encodings. A PDQ hash is 256 bits; the wire form used by ThreatExchange,
 * HMA and StopNCII-style banks is 64 lowercase hex digits: 16 words w[15]..w[0], each
 * "%04x", where bit k (k = 16*row + col of the DCT) is bit (k & 15) of word (k >> 4).
 * The byte form here is simply those 64 hex digits as 32 big-endian bytes, so
 * `pdqToHex(pdqFromHex(h)) === h.toLowerCase()`.
 */

export const PDQ_HEX_LENGTH = 64;
export const PDQ_BYTE_LENGTH = 32;

/** Thrown for a malformed hash string or buffer; `code` is stable for API callers. */
export class PdqFormatError extends Error {
  readonly code = 'pdq_invalid_hash';
  constructor(message: string) {
    super(message);
    this.name = 'PdqFormatError';
  }
}

const HEX_RE = /^[0-9a-fA-F]{64}$/;

/**
 * Parses a 64-hex-digit PDQ hash into 32 bytes.
 *
 * @example pdqFromHex('f'.repeat(64)).length === 32
 */
export function pdqFromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    const shown = typeof hex === 'string' ? `${hex.length} characters` : typeof hex;
    throw new PdqFormatError(
      `A PDQ hash must be exactly 64 hexadecimal characters (0-9, a-f); got ${shown}.`,
    );
  }
  const out = new Uint8Array(PDQ_BYTE_LENGTH);
  for (let i = 0; i < PDQ_BYTE_LENGTH; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats 32 bytes as the 64-digit lowercase hex form. */
export function pdqToHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PDQ_BYTE_LENGTH) {
    throw new PdqFormatError(`A PDQ hash must be exactly 32 bytes; got ${bytes?.length ?? 0}.`);
  }
  let s = '';
  for (let i = 0; i < PDQ_BYTE_LENGTH; i++) s += BYTE_HEX[bytes[i]];
  return s;
}

/** Hex from the 16 hash words (word i holds DCT row i; bit j = column j). */
export function wordsToHex(words: Uint16Array): string {
  let s = '';
  for (let i = 15; i >= 0; i--) {
    const w = words[i];
    s += BYTE_HEX[w >>> 8] + BYTE_HEX[w & 0xff];
  }
  return s;
}

const POPCOUNT8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT8[i] = (i & 1) + POPCOUNT8[i >>> 1];

function asBytes(h: string | Uint8Array): Uint8Array {
  if (typeof h === 'string') return pdqFromHex(h);
  if (h.length !== PDQ_BYTE_LENGTH) {
    throw new PdqFormatError(`A PDQ hash must be exactly 32 bytes; got ${h.length}.`);
  }
  return h;
}

/**
 * Number of differing bits between two PDQ hashes (0..256). Matchers treat ≤ 31 as a match.
 *
 * @example hammingDistance('0'.repeat(64), '0'.repeat(63) + '3') === 2
 */
export function hammingDistance(a: string | Uint8Array, b: string | Uint8Array): number {
  const x = asBytes(a);
  const y = asBytes(b);
  let d = 0;
  for (let i = 0; i < PDQ_BYTE_LENGTH; i++) d += POPCOUNT8[x[i] ^ y[i]];
  return d;
}
