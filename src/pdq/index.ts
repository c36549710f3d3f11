/**
 * PDQ (Meta ThreatExchange's perceptual hash): hashing, hex and byte forms, Hamming distance.
 *
 * This folder is the code the browser console runs as is, so it imports nothing from Node and
 * nothing from outside `src/pdq/` (test/pdq/module-boundary.test.ts checks): pixels in as a
 * plain `Uint8Array`, hashes out as strings or `Uint8Array`s.
 *
 * @example
 * import { pdqHash, hammingDistance } from '../pdq/index.js';
 * const { hash, quality } = pdqHash({ width, height, rgb }); // 64 lowercase hex digits, 0..100
 * hammingDistance(hash, other) <= 31; // a match for most banks
 */
export { bytesToWords, hammingBytes, hammingDistance, PDQ_WORDS, popcount32, wordsToBytes } from './bits.js';
export {
  type Dihedral,
  DIHEDRALS,
  PDQ_MIN_SIDE,
  pdqDct16,
  type PdqDihedralResult,
  pdqHash,
  pdqHashWithDihedrals,
  type PdqInput,
  type PdqOptions,
  type PdqResult,
} from './hash.js';
export { firstNonHexIndex, isPdqHex, normalisePdqHex, PDQ_BYTES, PDQ_HEX_LENGTH, PdqFormatError, pdqFromHex, pdqToHex } from './hex.js';
