/**
 * PDQ hash encodings and the one validator of PDQ hex in Perisai.
 *
 * A PDQ hash is 256 bits; the wire form used by ThreatExchange, HMA and StopNCII-style banks
 * is 64 hex digits: 16 words w[15]..w[0], each "%04x", where bit k (k = 16*row + col of the
 * DCT) is bit (k & 15) of word (k >> 4). The byte form is those 64 digits read as 32 bytes in
 * order, so `pdqToHex(pdqFromHex(h)) === h.toLowerCase()`.
 *
 * Case: input may be in either case (banks and hand-typed hashes come in both); the
 * canonical form, which Perisai prints and stores, is lowercase. Nothing else is tolerated:
 * no whitespace, no `0x` prefix, no separators. Callers that accept padded input trim first.
 */

export const PDQ_HEX_LENGTH = 64;
export const PDQ_BYTES = 32;

/** Thrown for a malformed hash string or buffer; `code` is stable for API callers. */
export class PdqFormatError extends RangeError {
  readonly code = 'pdq_invalid_hash';
  constructor(message: string) {
    super(message);
    this.name = 'PdqFormatError';
  }
}

/** 0..15 for a hex digit's char code (either case), -1 for anything else. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 32; // folds A-F onto a-f
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Index of the first character of `s` that is not a hex digit, or -1. For error messages that
 * say where a hash is wrong; `isPdqHex` is the verdict.
 */
export function firstNonHexIndex(s: string): number {
  for (let i = 0; i < s.length; i++) if (hexValue(s.charCodeAt(i)) < 0) return i;
  return -1;
}

/**
 * True for exactly 64 hex digits in either case. The single PDQ hex validator: every parser,
 * schema and CLI argument check in Perisai goes through it.
 *
 * @example isPdqHex('F'.repeat(64)) === true; isPdqHex(' ' + 'f'.repeat(63)) === false
 */
export function isPdqHex(value: unknown): boolean {
  return typeof value === 'string' && value.length === PDQ_HEX_LENGTH && firstNonHexIndex(value) < 0;
}

/**
 * The canonical (lowercase) form of a valid PDQ hex string.
 *
 * @throws PdqFormatError when `hex` is not 64 hex digits.
 */
export function normalisePdqHex(hex: string): string {
  if (!isPdqHex(hex)) throw invalidHex(hex);
  return hex.toLowerCase();
}

function invalidHex(hex: unknown): PdqFormatError {
  const shown = typeof hex === 'string' ? `${hex.length} characters` : typeof hex;
  return new PdqFormatError(`A PDQ hash must be exactly 64 hexadecimal characters (0-9, a-f, either case); got ${shown}.`);
}

/**
 * Parses a 64-hex-digit PDQ hash into 32 bytes.
 *
 * @example pdqFromHex('f'.repeat(64)).length === 32
 * @throws PdqFormatError (a RangeError) when `hex` is not 64 hex digits.
 */
export function pdqFromHex(hex: string): Uint8Array {
  if (!isPdqHex(hex)) throw invalidHex(hex);
  const out = new Uint8Array(PDQ_BYTES);
  for (let i = 0; i < PDQ_BYTES; i++) {
    out[i] = (hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1));
  }
  return out;
}

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Formats 32 bytes as the 64-digit lowercase hex form.
 *
 * @throws PdqFormatError when `bytes` is not 32 bytes.
 */
export function pdqToHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PDQ_BYTES) {
    throw new PdqFormatError(`A PDQ hash must be exactly 32 bytes; got ${bytes?.length ?? 0}.`);
  }
  let s = '';
  for (let i = 0; i < PDQ_BYTES; i++) s += BYTE_HEX[bytes[i]!];
  return s;
}

/** Hex from the 16 hash words (word i holds DCT row i; bit j = column j), word 15 first. */
export function wordsToHex(words: Uint16Array): string {
  let s = '';
  for (let i = 15; i >= 0; i--) {
    const w = words[i]!;
    s += BYTE_HEX[w >>> 8]! + BYTE_HEX[w & 0xff]!;
  }
  return s;
}
