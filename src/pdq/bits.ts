/**
 * Bit-level helpers for 256-bit PDQ hashes: popcount, the 32-bit word form the index stores,
 * and Hamming distance. Hamming distance does not care which bit is which, only that every
 * caller uses one byte convention, the one of `hex.ts`.
 */
import { PDQ_BYTES, PdqFormatError, pdqFromHex } from './hex.js';

/** A hash as 32-bit words, the unit the index stores and compares. */
export const PDQ_WORDS = 8;

/** Number of set bits in a 32-bit integer (SWAR, no loop). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Writes the 32 bytes of a hash as 8 little-endian 32-bit words at `out[at..at+8)`. */
export function bytesToWords(bytes: Uint8Array, out: Int32Array, at: number): void {
  for (let w = 0; w < PDQ_WORDS; w++) {
    const b = w << 2;
    out[at + w] = bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) | (bytes[b + 3]! << 24);
  }
}

/** Inverse of `bytesToWords`. */
export function wordsToBytes(words: Int32Array, at: number): Uint8Array {
  const out = new Uint8Array(PDQ_BYTES);
  for (let w = 0; w < PDQ_WORDS; w++) {
    const v = words[at + w]!;
    const b = w << 2;
    out[b] = v & 0xff;
    out[b + 1] = (v >>> 8) & 0xff;
    out[b + 2] = (v >>> 16) & 0xff;
    out[b + 3] = v >>> 24;
  }
  return out;
}

/** Hamming distance between two 32-byte hashes (unchecked: the index's callers check once). */
export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < PDQ_BYTES; i++) d += popcount32(a[i]! ^ b[i]!);
  return d;
}

function asBytes(h: string | Uint8Array): Uint8Array {
  if (typeof h === 'string') return pdqFromHex(h);
  if (!(h instanceof Uint8Array) || h.length !== PDQ_BYTES) {
    throw new PdqFormatError(`A PDQ hash must be exactly 32 bytes; got ${h?.length ?? 0}.`);
  }
  return h;
}

/**
 * Number of differing bits between two PDQ hashes (0..256), given as hex or bytes.
 * Matchers treat ≤ 31 as a match.
 *
 * @example hammingDistance('0'.repeat(64), '0'.repeat(63) + '3') === 2
 * @throws PdqFormatError for a malformed hash.
 */
export function hammingDistance(a: string | Uint8Array, b: string | Uint8Array): number {
  return hammingBytes(asBytes(a), asBytes(b));
}
