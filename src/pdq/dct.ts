/**
 * The 64→16 DCT of PDQ, in float32 exactly as the C++ reference evaluates it:
 * every product and every partial sum is rounded to float32, sums run over k in order.
 * Rounding each step (Math.fround, or a store into a Float32Array) is what makes the
 * dihedral hashes match; float64 accumulation flips bits near the median.
 */

const fround = Math.fround;

/** D[i][j] = float32(float32(sqrt(2/64)) * cos(pi/128 * (i+1) * (2j+1))), i < 16, j < 64; DC row excluded. */
export const DCT_MATRIX: Float32Array = (() => {
  const d = new Float32Array(16 * 64);
  // The reference stores the scale in a `float` before multiplying by the double cosine.
  const scale = fround(Math.sqrt(2.0 / 64.0));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      d[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64.0) * (i + 1) * (2 * j + 1));
    }
  }
  return d;
})();

/**
 * B = D · A · Dᵀ for a 64×64 row-major A. `t` (16×64) is scratch; `b` (16×16) receives the result.
 * Loop order differs from the reference for locality, but each element's sum is
 * accumulated in the same k order with the same roundings, so the bits are identical.
 */
export function dct64To16(a: Float32Array, t: Float32Array, b: Float32Array): void {
  const d = DCT_MATRIX;
  t.fill(0);
  for (let i = 0; i < 16; i++) {
    const trow = i * 64;
    for (let k = 0; k < 64; k++) {
      const dik = d[i * 64 + k];
      const arow = k * 64;
      for (let j = 0; j < 64; j++) {
        // Float32Array store rounds the sum; the product is rounded explicitly first.
        t[trow + j] += fround(dik * a[arow + j]);
      }
    }
  }
  for (let i = 0; i < 16; i++) {
    const trow = i * 64;
    for (let j = 0; j < 16; j++) {
      const drow = j * 64;
      let sum = 0;
      for (let k = 0; k < 64; k++) {
        sum = fround(sum + fround(t[trow + k] * d[drow + k]));
      }
      b[i * 16 + j] = sum;
    }
  }
}
