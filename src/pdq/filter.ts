/**
 * PDQ's image-domain steps before the DCT: luma, nearest-neighbour pre-resize, the
 * Jarosz (repeated box) filter, decimation to 64×64 and the quality metric. All in
 * float32 with the reference's operation order; see /work/shared/vectors/pdq/README.md.
 */

const fround = Math.fround;

/** Side above which the reference resizes to exactly RESIZE_TO × RESIZE_TO (aspect ignored). */
export const RESIZE_THRESHOLD = 512;
export const RESIZE_TO = 512;

// Per-channel luma contributions, each already rounded as the reference's `0.299f * r` is.
const LUMA_R = new Float32Array(256);
const LUMA_G = new Float32Array(256);
const LUMA_B = new Float32Array(256);
for (let v = 0; v < 256; v++) {
  LUMA_R[v] = fround(0.299) * v;
  LUMA_G[v] = fround(0.587) * v;
  LUMA_B[v] = fround(0.114) * v;
}

/**
 * True when every pixel has R = G = B. The reference decodes through ImageMagick, which
 * emits a one-channel image for such pictures (greyscale PNGs, but also colour JPEGs
 * whose pixels are all grey), and the reference then uses the value itself as luma.
 * The luma formula on (v, v, v) is not exactly v in float32 for 35 of 256 values, so
 * this matters for bit-exactness.
 */
export function isAllGrey(rgb: Uint8Array, pixels: number): boolean {
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    const r = rgb[i];
    if (rgb[i + 1] !== r || rgb[i + 2] !== r) return false;
  }
  return true;
}

/**
 * Float32 luma of the (possibly resized) image into `out` (outW × outH).
 * Source index along each axis is floor(x * size / out), CImg's nearest-neighbour rule.
 */
export function lumaResized(
  rgb: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
  grey: boolean,
  out: Float32Array,
): void {
  const xs = new Int32Array(outW);
  for (let x = 0; x < outW; x++) xs[x] = Math.floor((x * width) / outW) * 3;
  for (let y = 0; y < outH; y++) {
    const rowBase = Math.floor((y * height) / outH) * width * 3;
    const o = y * outW;
    if (grey) {
      for (let x = 0; x < outW; x++) out[o + x] = rgb[rowBase + xs[x]];
    } else {
      for (let x = 0; x < outW; x++) {
        const i = rowBase + xs[x];
        out[o + x] = fround(LUMA_R[rgb[i]] + LUMA_G[rgb[i + 1]]) + LUMA_B[rgb[i + 2]];
      }
    }
  }
}

/** Jarosz window size per axis: ceil(size / 128), written as the reference does. */
export function jaroszWindowSize(oldSize: number, newSize: number): number {
  return Math.floor((oldSize + 2 * newSize - 1) / (2 * newSize));
}

/**
 * 1/n in float64. The reference divides a float32 sum by a small integer count; multiplying
 * by the float64 reciprocal and rounding to float32 gives the same bits: for odd n the exact
 * quotient lies at least 2^-25/n (relative) from any float32 rounding midpoint, far beyond
 * the ~2^-52 error of the float64 product, and for powers of two both are exact. Multiplying
 * instead of dividing roughly halves the filter's cost.
 */
let RECIPROCAL = reciprocals(1024);

function reciprocals(n: number): Float64Array {
  return Float64Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 0 : 1 / i));
}

/** One box pass along each row (contiguous), the reference's box1DFloat with stride 1. */
function boxAlongRows(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  window: number,
): void {
  const half = Math.floor((window + 2) / 2);
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = cols - window;
  const p4 = half - 1;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let li = base;
    let ri = base;
    let oi = base;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < p1; i++) {
      sum = fround(sum + input[ri++]);
      count++;
    }
    for (let i = 0; i < p2; i++) {
      sum = fround(sum + input[ri++]);
      count++;
      output[oi++] = sum * RECIPROCAL[count];
    }
    const inv = RECIPROCAL[count];
    for (let i = 0; i < p3; i++) {
      sum = fround(sum + input[ri++]);
      sum = fround(sum - input[li++]);
      output[oi++] = sum * inv;
    }
    for (let i = 0; i < p4; i++) {
      sum = fround(sum - input[li++]);
      count--;
      output[oi++] = sum * RECIPROCAL[count];
    }
  }
}

/**
 * One box pass down every column. The reference walks each column with a stride; here all
 * columns advance together, one row at a time, with one running sum per column, which is
 * cache-friendly and performs the same roundings in the same order per column.
 */
function boxAlongCols(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  window: number,
  sums: Float32Array,
): void {
  const half = Math.floor((window + 2) / 2);
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = rows - window;
  const p4 = half - 1;
  sums.fill(0, 0, cols);
  let li = 0;
  let ri = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < p1; i++, ri += cols) {
    for (let c = 0; c < cols; c++) sums[c] += input[ri + c];
    count++;
  }
  for (let i = 0; i < p2; i++, ri += cols, oi += cols) {
    count++;
    const inv = RECIPROCAL[count];
    for (let c = 0; c < cols; c++) {
      const v = fround(sums[c] + input[ri + c]);
      sums[c] = v;
      output[oi + c] = v * inv;
    }
  }
  const inv = RECIPROCAL[count];
  for (let i = 0; i < p3; i++, ri += cols, li += cols, oi += cols) {
    for (let c = 0; c < cols; c++) {
      const v = fround(fround(sums[c] + input[ri + c]) - input[li + c]);
      sums[c] = v;
      output[oi + c] = v * inv;
    }
  }
  for (let i = 0; i < p4; i++, li += cols, oi += cols) {
    count--;
    const inv = RECIPROCAL[count];
    for (let c = 0; c < cols; c++) {
      const v = fround(sums[c] - input[li + c]);
      sums[c] = v;
      output[oi + c] = v * inv;
    }
  }
}

/** Two passes of (rows, then columns); the result ends in `buf1`, `buf2` is scratch. */
export function jaroszFilter(
  buf1: Float32Array,
  buf2: Float32Array,
  rows: number,
  cols: number,
  windowAlongRows: number,
  windowAlongCols: number,
  sums: Float32Array,
): void {
  const widest = Math.max(windowAlongRows, windowAlongCols);
  if (widest >= RECIPROCAL.length) RECIPROCAL = reciprocals(widest);
  for (let pass = 0; pass < 2; pass++) {
    boxAlongRows(buf1, buf2, rows, cols, windowAlongRows);
    boxAlongCols(buf2, buf1, rows, cols, windowAlongCols, sums);
  }
}

/** Samples 64×64 points at floor((i + 0.5) * size / 64) along each axis. */
export function decimateTo64(input: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < 64; i++) {
    const ini = Math.floor(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const inj = Math.floor(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = input[ini * cols + inj];
    }
  }
}

/** Gradient-sum quality 0..100 of the 64×64 buffer; `int d = ((u - v) * 100) / 255` in float32. */
export function qualityOf64(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = Math.trunc(fround(fround(fround(a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255));
      sum += Math.abs(d);
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(fround(fround(fround(a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255));
      sum += Math.abs(d);
    }
  }
  const q = Math.floor(sum / 90);
  return q > 100 ? 100 : q;
}
