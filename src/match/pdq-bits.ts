/**
 * Bit-level helpers for 256-bit PDQ hashes, kept inside `match/` so the index depends on
 * nothing in `image/`. The byte form is the 64 hex digits read as 32 bytes in order, the
 * same convention as `image/pdq-hex.ts`; Hamming distance does not care which bit is which,
 * only that every caller uses one convention.
 */

export const PDQ_HEX_LENGTH = 64;
export const PDQ_BYTES = 32;
/** A hash as 32-bit words, the unit the index stores and compares. */
export const PDQ_WORDS = 8;

const HEX_RE = /^[0-9a-fA-F]{64}$/;

/** True for exactly 64 hex digits (either case). */
export function isPdqHex(hex: string): boolean {
  return HEX_RE.test(hex);
}

/**
 * Parses 64 hex digits into 32 bytes.
 *
 * @example pdqHexToBytes('ff'.repeat(32))[0] === 255
 * @throws RangeError when `hex` is not exactly 64 hex digits.
 */
export function pdqHexToBytes(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) throw new RangeError(`A PDQ hash is 64 hexadecimal digits; got ${JSON.stringify(hex.slice(0, 80))}.`);
  const out = new Uint8Array(PDQ_BYTES);
  for (let i = 0; i < PDQ_BYTES; i++) out[i] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
  return out;
}

/** Lowercase hex of 32 bytes. */
export function pdqBytesToHex(bytes: Uint8Array): string {
  if (bytes.length !== PDQ_BYTES) throw new RangeError(`A PDQ hash is ${PDQ_BYTES} bytes; got ${bytes.length}.`);
  let out = '';
  for (let i = 0; i < PDQ_BYTES; i++) out += HEX[bytes[i]!];
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexDigit(c: number): number {
  // '0'-'9', 'A'-'F', 'a'-'f'; the regex has already rejected anything else.
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

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

/** Hamming distance between two 32-byte hashes (reference implementation, not the hot path). */
export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < PDQ_BYTES; i++) d += popcount32(a[i]! ^ b[i]!);
  return d;
}
