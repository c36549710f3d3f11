/**
 * PDQ hash encodings. A PDQ hash is 256 bits; the wire form used by ThreatExchange,
 * HMA and StopNCII-style banks is 64 lowercase hex digits: 16 words w[15]..w[0], each
 * "%04x", where bit k (k = 16*row + col of the DCT) is bit (k & 15) of word (k >> 4).
 * The byte form here is simply those 64 hex digits as 32 big-endian bytes, so
 * `pdqToHex(pdqFromHex(h)) === h.toLowerCase()`. The bit work is shared with the index
 * (`match/pdq-bits.ts`); this module adds the typed error API callers see.
 */
import { PDQ_BYTES, hammingBytes, isPdqHex, pdqBytesToHex, pdqHexToBytes } from '../match/pdq-bits.js';

export { PDQ_HEX_LENGTH } from '../match/pdq-bits.js';
export const PDQ_BYTE_LENGTH = PDQ_BYTES;

/** Thrown for a malformed hash string or buffer; `code` is stable for API callers. */
export class PdqFormatError extends Error {
  readonly code = 'pdq_invalid_hash';
  constructor(message: string) {
    super(message);
    this.name = 'PdqFormatError';
  }
}

/**
 * Parses a 64-hex-digit PDQ hash into 32 bytes.
 *
 * @example pdqFromHex('f'.repeat(64)).length === 32
 */
export function pdqFromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !isPdqHex(hex)) {
    const shown = typeof hex === 'string' ? `${hex.length} characters` : typeof hex;
    throw new PdqFormatError(`A PDQ hash must be exactly 64 hexadecimal characters (0-9, a-f); got ${shown}.`);
  }
  return pdqHexToBytes(hex);
}

/** Formats 32 bytes as the 64-digit lowercase hex form. */
export function pdqToHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PDQ_BYTE_LENGTH) {
    throw new PdqFormatError(`A PDQ hash must be exactly 32 bytes; got ${bytes?.length ?? 0}.`);
  }
  return pdqBytesToHex(bytes);
}

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex from the 16 hash words (word i holds DCT row i; bit j = column j). */
export function wordsToHex(words: Uint16Array): string {
  let s = '';
  for (let i = 15; i >= 0; i--) {
    const w = words[i];
    s += BYTE_HEX[w >>> 8] + BYTE_HEX[w & 0xff];
  }
  return s;
}

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
  return hammingBytes(asBytes(a), asBytes(b));
}
