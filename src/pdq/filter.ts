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

// fround(LUMA_R[r] + LUMA_G[g]) for every (r, g), index r << 8 | g: the first rounded step of
// the reference's `0.299f*r + 0.587f*g + 0.114f*b`, looked up instead of computed (256 KiB).
const LUMA_RG = new Float32Array(65536);
for (let r = 0; r < 256; r++) for (let g = 0; g < 256; g++) LUMA_RG[(r << 8) | g] = LUMA_R[r]! + LUMA_G[g]!;

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
export function lumaResized(rgb: Uint8Array, width: number, height: number, outW: number, outH: number, grey: boolean, out: Float32Array): void {
  if (xsScratch.length < outW) xsScratch = new Int32Array(outW);
  const xs = xsScratch;
  for (let x = 0; x < outW; x++) xs[x] = Math.floor((x * width) / outW) * 3;
  for (let y = 0; y < outH; y++) {
    const rowBase = Math.floor((y * height) / outH) * width * 3;
    const o = y * outW;
    if (grey) {
      for (let x = 0; x < outW; x++) out[o + x] = rgb[rowBase + xs[x]!]!;
    } else if (outW === width) {
      // Not resized along x: walk the row directly.
      for (let x = 0, i = rowBase; x < outW; x++, i += 3) {
        out[o + x] = LUMA_RG[(rgb[i]! << 8) | rgb[i + 1]!]! + LUMA_B[rgb[i + 2]!]!;
      }
    } else {
      for (let x = 0; x < outW; x++) {
        const i = rowBase + xs[x]!;
        out[o + x] = LUMA_RG[(rgb[i]! << 8) | rgb[i + 1]!]! + LUMA_B[rgb[i + 2]!]!;
      }
    }
  }
}

let xsScratch = new Int32Array(RESIZE_TO);

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

/**
 * One box pass along one row (contiguous), the reference's box1DFloat with stride 1:
 * `input[base..base+cols)` → `output[obase..obase+cols)`.
 */
function boxRow(input: Float32Array, base: number, output: Float32Array, obase: number, cols: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = cols - window;
  const p4 = half - 1;
  let li = base;
  let ri = base;
  let oi = obase;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < p1; i++) {
    sum = fround(sum + input[ri++]!);
    count++;
  }
  for (let i = 0; i < p2; i++) {
    sum = fround(sum + input[ri++]!);
    count++;
    output[oi++] = sum * RECIPROCAL[count]!;
  }
  const inv = RECIPROCAL[count]!;
  for (let i = 0; i < p3; i++) {
    sum = fround(sum + input[ri++]!);
    sum = fround(sum - input[li++]!);
    output[oi++] = sum * inv;
  }
  for (let i = 0; i < p4; i++) {
    sum = fround(sum - input[li++]!);
    count--;
    output[oi++] = sum * RECIPROCAL[count]!;
  }
}

/**
 * `boxRow` on four consecutive rows in lockstep. A row's running sum is one long chain of
 * dependent float32 adds (each a float64 add plus two conversions for `fround`), so one row at
 * a time leaves the CPU waiting on latency; four independent chains fill that time. Each row's
 * own operations and their order are unchanged.
 */
function boxRows4(input: Float32Array, base: number, output: Float32Array, obase: number, cols: number, window: number): void {
  const b0 = base;
  const b1 = base + cols;
  const b2 = b1 + cols;
  const b3 = b2 + cols;
  const o0 = obase;
  const o1 = obase + cols;
  const o2 = o1 + cols;
  const o3 = o2 + cols;
  const half = Math.floor((window + 2) / 2);
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = cols - window;
  const p4 = half - 1;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < p1; i++, ri++) {
    s0 = fround(s0 + input[b0 + ri]!);
    s1 = fround(s1 + input[b1 + ri]!);
    s2 = fround(s2 + input[b2 + ri]!);
    s3 = fround(s3 + input[b3 + ri]!);
    count++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    s0 = fround(s0 + input[b0 + ri]!);
    s1 = fround(s1 + input[b1 + ri]!);
    s2 = fround(s2 + input[b2 + ri]!);
    s3 = fround(s3 + input[b3 + ri]!);
    count++;
    const inv = RECIPROCAL[count]!;
    output[o0 + oi] = s0 * inv;
    output[o1 + oi] = s1 * inv;
    output[o2 + oi] = s2 * inv;
    output[o3 + oi] = s3 * inv;
  }
  const inv = RECIPROCAL[count]!;
  for (let i = 0; i < p3; i++, ri++, li++, oi++) {
    s0 = fround(fround(s0 + input[b0 + ri]!) - input[b0 + li]!);
    s1 = fround(fround(s1 + input[b1 + ri]!) - input[b1 + li]!);
    s2 = fround(fround(s2 + input[b2 + ri]!) - input[b2 + li]!);
    s3 = fround(fround(s3 + input[b3 + ri]!) - input[b3 + li]!);
    output[o0 + oi] = s0 * inv;
    output[o1 + oi] = s1 * inv;
    output[o2 + oi] = s2 * inv;
    output[o3 + oi] = s3 * inv;
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    s0 = fround(s0 - input[b0 + li]!);
    s1 = fround(s1 - input[b1 + li]!);
    s2 = fround(s2 - input[b2 + li]!);
    s3 = fround(s3 - input[b3 + li]!);
    count--;
    const inv = RECIPROCAL[count]!;
    output[o0 + oi] = s0 * inv;
    output[o1 + oi] = s1 * inv;
    output[o2 + oi] = s2 * inv;
    output[o3 + oi] = s3 * inv;
  }
}

/** One box pass along every row, four rows at a time. */
function boxAlongRows(input: Float32Array, output: Float32Array, rows: number, cols: number, window: number): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) boxRows4(input, r * cols, output, r * cols, cols, window);
  for (; r < rows; r++) boxRow(input, r * cols, output, r * cols, cols, window);
}

/**
 * A box pass along every row that keeps only the columns in `pick` (64 of them), packed as
 * rows × 64 in `output`. Each row's running sum still walks every column, so the kept values
 * are bit-identical to a full pass; `rowScratch` (4 × cols) holds four full rows briefly.
 */
function boxAlongRowsPicked(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  window: number,
  pick: Int32Array,
  rowScratch: Float32Array,
): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    boxRows4(input, r * cols, rowScratch, 0, cols, window);
    for (let k = 0; k < 4; k++) {
      const o = (r + k) * 64;
      const s = k * cols;
      for (let j = 0; j < 64; j++) output[o + j] = rowScratch[s + pick[j]!]!;
    }
  }
  for (; r < rows; r++) {
    boxRow(input, r * cols, rowScratch, 0, cols, window);
    for (let j = 0; j < 64; j++) output[r * 64 + j] = rowScratch[pick[j]!]!;
  }
}

/**
 * One box pass down every column. The reference walks each column with a stride; here all
 * columns advance together, one row at a time, with one running sum per column, which is
 * cache-friendly and performs the same roundings in the same order per column.
 */
function boxAlongCols(input: Float32Array, output: Float32Array, rows: number, cols: number, window: number, sums: Float32Array): void {
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

/** floor((i + 0.5) * size / 64) for i < 64: the reference's decimation grid along one axis. */
function decimationIndices(size: number, out: Int32Array): Int32Array {
  for (let i = 0; i < 64; i++) out[i] = Math.floor(((i + 0.5) * size) / 64);
  return out;
}

const pickCols = new Int32Array(64);
const pickRows = new Int32Array(64);

/**
 * The Jarosz filter (two passes of rows then columns) followed by decimation to 64×64 into
 * `out`. `buf1` holds the luma (rows × cols) and is clobbered; `buf2` is scratch of at least
 * rows × max(cols, 64); `sums` at least max(cols, 64), `rowScratch` at least 4 × cols.
 *
 * Only 64 columns of the second pass's output are ever sampled, and a column pass treats its
 * columns independently, so the second column pass runs on those 64 columns alone (1/8 of the
 * work at 512 wide). The second row pass must still sum along whole rows, but keeps only the 64
 * sampled columns. Every kept value goes through the same float32 operations in the same order
 * as the full filter, so the result is bit-identical.
 */
export function jaroszDecimate(
  buf1: Float32Array,
  buf2: Float32Array,
  rows: number,
  cols: number,
  windowAlongRows: number,
  windowAlongCols: number,
  sums: Float32Array,
  rowScratch: Float32Array,
  out: Float32Array,
): void {
  const widest = Math.max(windowAlongRows, windowAlongCols);
  if (widest >= RECIPROCAL.length) RECIPROCAL = reciprocals(widest);
  boxAlongRows(buf1, buf2, rows, cols, windowAlongRows);
  boxAlongCols(buf2, buf1, rows, cols, windowAlongCols, sums);
  const pc = decimationIndices(cols, pickCols);
  const pr = decimationIndices(rows, pickRows);
  boxAlongRowsPicked(buf1, buf2, rows, cols, windowAlongRows, pc, rowScratch);
  boxAlongCols(buf2, buf1, rows, 64, windowAlongCols, sums);
  for (let i = 0; i < 64; i++) out.set(buf1.subarray(pr[i]! * 64, pr[i]! * 64 + 64), i * 64);
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
