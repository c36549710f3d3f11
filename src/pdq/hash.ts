/**
 * PDQ perceptual hash (Meta ThreatExchange), bit-exact with the C++ reference
 * `pdq-photo-hasher` given the same 8-bit pixels. Facts implemented from
 * /work/shared/vectors/pdq/README.md; evidence and figures in docs/pdq.md.
 */
import { dct64To16 } from './dct.js';
import { isAllGrey, jaroszDecimate, jaroszWindowSize, lumaResized, qualityOf64, RESIZE_THRESHOLD, RESIZE_TO } from './filter.js';
import { wordsToHex } from './hex.js';

/** Pixels PDQ needs; a `DecodedImage` satisfies it. */
export interface PdqInput {
  width: number;
  height: number;
  /** Packed 8-bit RGB, row-major, length width*height*3. */
  rgb: Uint8Array;
}

export interface PdqOptions {
  /**
   * Pre-resize to 512×512 by nearest neighbour when a side exceeds 512, as the C++ reference
   * does (default true). `false` hashes the full resolution, as the Java port and
   * pdqhash-python do; the two differ by a few bits on large images.
   */
  resize?: boolean;
}

export interface PdqResult {
  /** 64 lowercase hex digits. */
  hash: string;
  /** 0..100; matchers usually discard hashes below 50. */
  quality: number;
}

export type Dihedral = 'orig' | 'rot90' | 'rot180' | 'rot270' | 'flipx' | 'flipy' | 'flipplus1' | 'flipminus1';

export const DIHEDRALS: readonly Dihedral[] = ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipplus1', 'flipminus1'];

export interface PdqDihedralResult {
  hashes: Record<Dihedral, string>;
  quality: number;
}

/** Images with a side below this hash to all zeros with quality 0, as in the reference. */
export const PDQ_MIN_SIDE = 5;
const ZERO_HASH = '0'.repeat(64);

// Scratch buffers reused across calls: hashing is synchronous, so no two calls interleave.
let bufA = new Float32Array(RESIZE_TO * RESIZE_TO);
let bufB = new Float32Array(RESIZE_TO * RESIZE_TO);
let colSums = new Float32Array(RESIZE_TO);
let rowScratch = new Float32Array(4 * RESIZE_TO);
const buf64 = new Float32Array(64 * 64);
const buf16x64 = new Float32Array(16 * 64);
const dct16 = new Float32Array(16 * 16);
const dihedral16 = new Float32Array(16 * 16);
const medianScratch = new Float32Array(256);
const words = new Uint16Array(16);

function checkInput(img: PdqInput): void {
  const { width, height, rgb } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`PDQ needs integer image dimensions; got ${width}×${height}.`);
  }
  if (!(rgb instanceof Uint8Array) || rgb.length !== width * height * 3) {
    throw new RangeError(`PDQ needs packed RGB of ${width}×${height}×3 = ${width * height * 3} bytes; got ${rgb?.length ?? 0}.`);
  }
}

/** Luma → Jarosz → 64×64 → DCT into `dct16`; returns the quality, or -1 when the image is too small. */
function computeDct(img: PdqInput, opts: PdqOptions | undefined): number {
  checkInput(img);
  const { width, height, rgb } = img;
  if (width < PDQ_MIN_SIDE || height < PDQ_MIN_SIDE) return -1;
  const resize = (opts?.resize ?? true) && (width > RESIZE_THRESHOLD || height > RESIZE_THRESHOLD);
  const cols = resize ? RESIZE_TO : width;
  const rows = resize ? RESIZE_TO : height;
  // The filter's second half works on rows × 64 (see jaroszDecimate), which exceeds
  // rows × cols for images narrower than 64.
  const n = rows * Math.max(cols, 64);
  if (bufA.length < n) {
    bufA = new Float32Array(n);
    bufB = new Float32Array(n);
  }
  if (colSums.length < cols) colSums = new Float32Array(cols);
  if (rowScratch.length < 4 * cols) rowScratch = new Float32Array(4 * cols);
  const grey = isAllGrey(rgb, width * height);
  lumaResized(rgb, width, height, cols, rows, grey, bufA);
  if (rows === 64 && cols === 64) {
    buf64.set(bufA.subarray(0, 64 * 64));
  } else {
    jaroszDecimate(bufA, bufB, rows, cols, jaroszWindowSize(cols, 64), jaroszWindowSize(rows, 64), colSums, rowScratch, buf64);
  }
  const quality = qualityOf64(buf64);
  dct64To16(buf64, buf16x64, dct16);
  return quality;
}

/**
 * The 128th smallest of the 256 values: exactly what the reference's Torben median returns
 * for an even count (it always yields an element of the array of rank (n+1)/2).
 */
function median256(b: Float32Array): number {
  medianScratch.set(b);
  medianScratch.sort();
  return medianScratch[127];
}

function thresholdToHex(b: Float32Array): string {
  const m = median256(b);
  words.fill(0);
  for (let k = 0; k < 256; k++) {
    if (b[k] > m) words[k >> 4] |= 1 << (k & 15);
  }
  return wordsToHex(words);
}

/**
 * The 16×16 float32 DCT coefficients (row-major; bit k of the hash is `dct[k] > median`)
 * and the quality, or null for an image too small to hash. For diagnostics and tests.
 */
export function pdqDct16(img: PdqInput, opts?: PdqOptions): { dct: Float32Array; quality: number } | null {
  const quality = computeDct(img, opts);
  return quality < 0 ? null : { dct: dct16.slice(), quality };
}

/**
 * PDQ hash and quality of an image.
 *
 * @example
 * const img = await decodeImage(bytes);
 * const { hash, quality } = pdqHash(img); // hash: 64 hex digits
 */
export function pdqHash(img: PdqInput, opts?: PdqOptions): PdqResult {
  const quality = computeDct(img, opts);
  if (quality < 0) return { hash: ZERO_HASH, quality: 0 };
  return { hash: thresholdToHex(dct16), quality };
}

/**
 * The hashes of the 8 rotations/reflections of the image, derived from one DCT by
 * transposing and negating alternate rows/columns (cosine basis parity), as the
 * reference's `--pdqdih-across` does. Naming follows the reference.
 */
export function pdqHashWithDihedrals(img: PdqInput, opts?: PdqOptions): PdqDihedralResult {
  const quality = computeDct(img, opts);
  if (quality < 0) {
    const hashes = {} as Record<Dihedral, string>;
    for (const d of DIHEDRALS) hashes[d] = ZERO_HASH;
    return { hashes, quality: 0 };
  }
  const a = dct16;
  const b = dihedral16;
  const hashes = {} as Record<Dihedral, string>;
  hashes.orig = thresholdToHex(a);
  for (const name of DIHEDRALS) {
    if (name === 'orig') continue;
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        const v = a[i * 16 + j];
        switch (name) {
          case 'rot90':
            b[j * 16 + i] = j & 1 ? v : -v;
            break;
          case 'rot180':
            b[i * 16 + j] = (i + j) & 1 ? -v : v;
            break;
          case 'rot270':
            b[j * 16 + i] = i & 1 ? v : -v;
            break;
          case 'flipx':
            b[i * 16 + j] = i & 1 ? v : -v;
            break;
          case 'flipy':
            b[i * 16 + j] = j & 1 ? v : -v;
            break;
          case 'flipplus1':
            b[j * 16 + i] = v;
            break;
          case 'flipminus1':
            b[j * 16 + i] = (i + j) & 1 ? -v : v;
            break;
        }
      }
    }
    hashes[name] = thresholdToHex(b);
  }
  return { hashes, quality };
}
